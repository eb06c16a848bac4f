"""Sessions kept in the shared cache (backed by the database), read with their member.

A signed-in request read its session from the cache, then its member (membercache), one
round trip after the other. Each process remembers which member a session belonged to when
it last read it, and reads the session and that member's cached row together in one
``get_many``; the row is handed to the authentication backend for this request only, and
only when the session still names that member (a wrong guess costs the second read, as
before). Everything Django checks when it loads the member (the backend, the session's
password hash, suspension) is checked as before.

Other apps add keys every signed-in request reads anyway to the same round trip
(``read_with_session``): the anonymous page cache's generation (community/pagecache.py),
the member's groups (forum/permissions.py). What they are given was read in this request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from .membercache import member_cache_key

# A read member is used by the request that read it: within this many seconds, once.
_HANDOVER_SECONDS = 1.0
_MAX_REMEMBERED = 50_000

_members_by_session: dict[str, str] = {}


def _same_cache() -> bool:  # the session and the member must be in one cache
    return settings.SESSION_CACHE_ALIAS == "default"


_handover = threading.local()

# (keys for the member's id, use(found, member)): see read_with_session.
_extra_reads: list[tuple[Callable[[str], Iterable[str]], Callable[[dict, object], None]]] = []


def read_with_session(
    keys: Callable[[str], Iterable[str]], use: Callable[[dict, object], None]
) -> None:
    """Read ``keys(user_id)`` in the session's round trip; ``use(found, member)`` is called
    with what was found (missing keys are absent) and the member row read with it (None
    when the session did not name the member it was read for). Not called when the batch
    was not read (a process's first request for a session), so readers fall back to their
    own read."""
    _extra_reads.append((keys, use))


def take_prefetched_member(user_id):
    """The member row read with this request's session, if it is ``user_id``'s (once)."""
    held = getattr(_handover, "member", None)
    if held is None:
        return None
    _handover.member = None
    held_id, member, read_at = held
    if str(held_id) != str(user_id) or time.monotonic() - read_at > _HANDOVER_SECONDS:
        return None
    return member


class SessionStore(CachedDBStore):
    def load(self):
        _handover.member = None
        key = self.session_key
        user_id = _members_by_session.get(key) if key and _same_cache() else None
        if user_id is None:
            data = super().load()
        else:
            member_key = member_cache_key(user_id)
            wanted = [self.cache_key, member_key]
            for keys, _use in _extra_reads:
                wanted.extend(keys(user_id))
            try:
                found = self._cache.get_many(wanted)
            except Exception:  # as the parent class: an unreadable key reads as no session
                found = {}
            data = found.get(self.cache_key)
            member = None
            if data is None:
                data = super().load()
            elif found.get(member_key) is not None and data.get(SESSION_KEY) == str(user_id):
                member = found[member_key]
                _handover.member = (user_id, member, time.monotonic())
            if found:
                for _keys, use in _extra_reads:
                    use(found, member)
        session_user = data.get(SESSION_KEY) if data else None
        if key and session_user is not None and self.session_key == key:
            if len(_members_by_session) >= _MAX_REMEMBERED:
                _members_by_session.clear()
            _members_by_session[key] = session_user
        return data
