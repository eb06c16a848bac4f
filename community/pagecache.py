"""Whole-page cache for anonymous visitors, invalidated by any forum write.

A generation number in the shared cache is part of every key; a write bumps it,
so every process stops serving the old pages at once. Signed-in requests read it with their
session, in the same round trip (``connect``); the generation then holds for the request,
read before any of its page's data, so a page kept under it is never older than it says.
"""

from __future__ import annotations

import functools
import hashlib
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

GENERATION_KEY = "pagecache:generation"

# In a request: the generation it read first (with its session, or when first asked), or
# _UNREAD; outside requests (workers, shells) None, and each call reads the cache.
_UNREAD = 0
_request_generation: ContextVar[int | None] = ContextVar("fhn_page_generation", default=None)


def generation() -> int:
    """The current write generation; in a request, the one it read first (read before any
    of its page's data, so what it keeps under it is never older than the generation)."""
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
    invalidate()
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
    if event is not None and not (
        {"thread_id", "space_id", "thread_ids", "resource_id", "post_id"} & event.keys()
    ):
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
