"""Whole-page cache for anonymous visitors, invalidated by any forum write.

A generation number in the shared cache is part of every key; a write bumps it,
so every process stops serving the old pages at once. Signed-in requests read it with their
session, in the same round trip (``connect``); the generation then holds for the request,
read before any of its page's data, so a page kept under it is never older than it says.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest, HttpResponse

GENERATION_KEY = "pagecache:generation"

# In a request: the generation it read first (with its session, or when first asked), or
# _UNREAD; outside requests (workers, shells) None, and each call reads the cache.
_UNREAD = 0
_request_generation: ContextVar[int | None] = ContextVar("fhn_page_generation", default=None)


def generation() -> int:
    """The current write generation; in a request, the one it read first (read before any
    of its page's data, so what it keeps under it is never older than the generation).
    Inside a transaction that wrote (``note_write``), one of its own (``_written``)."""
    shared = _shared_generation()
    written = _written()
    if written is None:
        return shared
    return -((shared << 40) | written)


def _shared_generation() -> int:
    value = _request_generation.get()
    if value:
        return value
    read = cache.get(GENERATION_KEY)
    if read is None:
        cache.add(GENERATION_KEY, _first_generation(), timeout=None)
        read = cache.get(GENERATION_KEY, 1)
    if value == _UNREAD:
        _request_generation.set(int(read))
    return int(read)


class _Write:
    """Marks a write in the current transaction, as a no-op on-commit callback: Django drops
    it when the transaction (or the savepoint it was made in) rolls back, and with the rest
    after commit, so the mark lasts exactly as long as the write is uncommitted."""

    __slots__ = ("token",)

    def __init__(self) -> None:
        self.token = secrets.randbits(40)

    def __call__(self) -> None:
        pass


def _written() -> int | None:
    """The token of this transaction's latest uncommitted write that pages may show, if any."""
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        return None
    for _savepoints, callback, _robust in reversed(connection.run_on_commit):
        if callback.__class__ is _Write:
            return callback.token
    return None


def note_write(event: dict | None = None) -> None:
    """In the writing transaction: its own reads from now on use a generation of their own
    (never shared with another process, never used again), so they see its write, as a
    test's reads do (its transaction never commits). Nothing is sent to the cache: the new
    shared generation, the one other processes' readers rely on, starts after commit
    (``invalidate``, subscribed to every event), which the readers' event waits behind."""
    if event is not None and not _shown_on_pages(event):
        return
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:  # outside one, the write is committed and invalidated
        connection.on_commit(_Write())


def _first_generation() -> int:
    """Where a missing generation starts: the clock in milliseconds, above any value it had
    before it was lost (a flushed or restarted Redis), so pages processes keep under a
    generation (forum/assembly.py) are never taken for a later one's."""
    return int(time.time() * 1000)


# A member's save that changes nothing any page shows (signing in, a new password).
_UNSHOWN_MEMBER_FIELDS = frozenset({"last_login", "password", "session_epoch"})


def _member_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """A member's name, avatar, role or mark shows on every page holding their posts, and no
    forum event names those pages: start a new generation now and again on commit (the
    member's cached row is forgotten the same way, accounts/membercache.py)."""
    if update_fields is not None and set(update_fields) <= _UNSHOWN_MEMBER_FIELDS:
        return
    note_write()
    transaction.on_commit(invalidate)


def _generation_keys(_user_id: str) -> list[str]:
    return [GENERATION_KEY]


def _use_generation(found: dict, _member) -> None:
    value = found.get(GENERATION_KEY)
    if value is not None and _request_generation.get() == _UNREAD:
        _request_generation.set(int(value))


def _start_request(**_kwargs) -> None:
    _request_generation.set(_UNREAD)


def _end_request(**_kwargs) -> None:
    _request_generation.set(None)


def connect() -> None:
    """Read the generation with each signed-in request's session (one round trip for both),
    forget it when the next request starts, and start a new one when a member's shown
    values change."""
    from django.contrib.auth import get_user_model
    from django.core.signals import request_finished, request_started
    from django.db.models.signals import post_delete, post_save

    from community.accounts.sessions import read_with_session

    read_with_session(_generation_keys, _use_generation)
    request_started.connect(_start_request, dispatch_uid="pagecache-generation")
    request_finished.connect(_end_request, dispatch_uid="pagecache-generation-end")
    member = get_user_model()
    post_save.connect(_member_saved, sender=member, dispatch_uid="pagecache-member-saved")
    post_delete.connect(_member_saved, sender=member, dispatch_uid="pagecache-member-deleted")


def invalidate(event: dict | None = None) -> None:
    """Drop every cached anonymous page; events that touch no thread, space or library resource change none."""
    if event is not None and not _shown_on_pages(event):
        return
    if _request_generation.get() is not None:  # its writes are newer than what it read
        _request_generation.set(_UNREAD)
    if hasattr(cache, "count"):  # Redis (community.rediscache): one round trip, not two
        # A lost generation starts again where readers would start it (above any it had).
        cache.count(GENERATION_KEY, timeout=None, start=_first_generation())
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, _first_generation(), timeout=None)


def _shown_on_pages(event: dict) -> bool:
    return bool({"thread_id", "space_id", "thread_ids", "resource_id", "post_id"} & event.keys())


def is_anonymous_request(request: HttpRequest) -> bool:
    """Whether this is a visitor's GET, decided from the cookies alone, so that serving a
    cached page (or counting its view, forum/viewcounts.py) never loads a session."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def cache_for_anonymous(view):
    """Serve anonymous GETs from the cache; signed-in members always get a fresh page."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_anonymous_request(request):
            return view(request, *args, **kwargs)
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        key = f"pagecache:{generation()}:{digest}"
        cached = cache.get(key)
        if cached is not None:
            status, content_type, body = cached
            response = HttpResponse(body, status=status, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        cacheable = (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            # A page that rendered a CSRF token is personal: never share it.
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        )
        if cacheable:
            cache.set(
                key,
                (response.status_code, response["Content-Type"], response.content),
                settings.ANONYMOUS_PAGE_CACHE_SECONDS,
            )
            response["X-Page-Cache"] = "miss"
        return response

    return wrapped
