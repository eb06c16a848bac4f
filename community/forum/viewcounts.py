"""Thread views, counted as Discourse counts them: buffered in the cache, added by a job.

The thread page is a hot path: a signed-in read writes only the member's read position, and
an anonymous read is usually a page-cache hit that touches no database at all
(tests/forum/test_query_budgets.py pins both). So a view writes nothing to the database in
the request. It is counted in the shared cache, once per member (or hashed visitor address)
per thread per ``VIEW_COUNT_WINDOW_SECONDS``, into the buffer of the current minute (a
"slot"); the ``flush_thread_views`` job (every minute, in the worker) adds each finished
slot's counts to ``Thread.view_count`` (``actions.add_thread_views``) in one transaction that
also records the slot, unique, so a slot is added exactly once however often the job runs.

The count is counted around the page cache (``counts_views`` wraps ``cache_for_anonymous``),
so anonymous pages served from the cache still count; only a 200 counts, so a thread the
viewer may not read (a 404) or a redirect never does. Views are lost only if the cache
loses them (Redis restarted or evicting), as in Discourse: a count, not a record.

How stale a list's count may be, and why that is fine (Discourse's lists lag the same way):
the count in the database trails the views by one to two minutes (the job's minute and the
grace below); a signed-in list read afresh shows the database's count (its rows' fragment
keys include it, forum/assembly.py, so a cached row is never older than the count), and a
list kept for the member's class shows the count it was kept with for up to
``assembly.KEPT_SECONDS`` (five minutes) or until the next write; an anonymous list may be
served from the page cache for up to ANONYMOUS_PAGE_CACHE_SECONDS (five minutes), since
adding views deliberately starts no new write generation and empties no cache. A view count is a rough measure of
interest; a few minutes behind costs nobody anything, and keeps reads free of writes.

Two buffers behind one interface:
- Redis (production): one round trip per view, a Lua script that sets the viewer's
  "seen" key if absent and, if it set it, adds one to the thread in the slot's hash;
- any other shared Django cache (the embedded default's file cache, which the server and
  the worker both see): the same through the cache API, a few calls per counted view.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse

from community import pagecache, ratelimits

logger = logging.getLogger(__name__)
_last_warning = 0.0

# Flush a slot only once it ended this long ago: a request that took the slot's number just
# before it ended has long finished writing by then (a view written into a slot after it was
# added would be cleared with it, uncounted).
GRACE_SECONDS = 5


def now() -> float:
    """The time views are buffered by (a function so that tests can move it on)."""
    return time.time()


def slot_of(moment: float) -> int:
    """The buffer slot (its start, Unix seconds) that a moment falls in."""
    width = settings.VIEW_COUNT_BUFFER_SECONDS
    return int(moment) - int(moment) % width


def closed_before(moment: float) -> int:
    """Slots starting before this one have ended (with the grace) and may be flushed."""
    return slot_of(moment - GRACE_SECONDS - settings.VIEW_COUNT_BUFFER_SECONDS) + (
        settings.VIEW_COUNT_BUFFER_SECONDS
    )


def viewer_key(request: HttpRequest) -> str:
    """Who is viewing: the member, or a visitor's address hashed with the secret key.

    Decided from the cookie first, as the page cache does, so an anonymous view never loads
    a session; a signed-in view's user was loaded by the page already.
    """
    if not pagecache.is_anonymous_request(request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"m{user.pk}"
    return "a" + ratelimits.address_key(request)


def _warn(error: Exception) -> None:
    global _last_warning
    moment = time.monotonic()
    if moment - _last_warning > 10:
        _last_warning = moment
        logger.warning("thread view not counted: %s", error)


# (thread id, viewer) -> time.monotonic() until which the shared cache surely holds their
# "seen" mark: a view then would not count, so the process does not ask (a member re-reading
# a thread cost a Redis script call on every page). Bounded; forgetting only costs a call.
_seen_until: dict[tuple[int, str], float] = {}
_MAX_SEEN = 100_000


def forget_seen() -> None:
    """Forget which views this process knows are marked (tests that clear the cache call it)."""
    _seen_until.clear()


def record_view(request: HttpRequest, thread_id: int) -> bool:
    """Count this viewer's view of the thread, unless they viewed it within the window.

    Never raises: a view that cannot be counted (the cache unreachable) is only lost.
    """
    viewer = viewer_key(request)
    moment = time.monotonic()
    if _seen_until.get((thread_id, viewer), 0.0) > moment:
        return False
    try:
        counted, lasts = buffer().record(thread_id, viewer, slot_of(now()))
    except Exception as error:  # noqa: BLE001 (a count must never break the page)
        _warn(error)
        return False
    if lasts > 1:  # whole seconds: a second less is surely still there
        if len(_seen_until) >= _MAX_SEEN:
            _seen_until.clear()
        _seen_until[(thread_id, viewer)] = moment + lasts - 1
    return counted


def counts_views(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Count a view of ``thread_id`` whenever the page answers 200 (cached or not).

    Put it outside ``cache_for_anonymous``: pages served from the cache count too.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, thread_id: int, **kwargs) -> HttpResponse:
        response = view(request, *args, thread_id=thread_id, **kwargs)
        if response.status_code == 200 and request.method == "GET":
            record_view(request, thread_id)
        return response

    return wrapped


# ---- the buffers -----------------------------------------------------------------------------


class CacheBuffer:
    """Buffered views through the Django cache API: each slot is a log of thread ids.

    ``views:<slot>:n`` counts the slot's views; ``views:<slot>:<i>`` is the thread of its
    i-th. A log rather than a counter per thread because the cache API cannot list keys: the
    flush finds a slot's threads by reading its log.
    """

    def __init__(self, cache) -> None:
        self.cache = cache

    def record(self, thread_id: int, viewer: str, slot: int) -> tuple[bool, float]:
        """Whether the view counted, and for how many seconds the viewer's mark surely lasts
        (0: not known)."""
        keep, window = settings.VIEW_COUNT_KEEP_SECONDS, settings.VIEW_COUNT_WINDOW_SECONDS
        if not self.cache.add(f"views:seen:{thread_id}:{viewer}", 1, window):
            return False, 0
        length_key = f"views:{slot}:n"
        if self.cache.add(length_key, 1, keep):
            number = 1
        else:
            try:
                number = self.cache.incr(length_key)
            except ValueError:  # expired between the two calls
                self.cache.set(length_key, 1, keep)
                number = 1
        self.cache.set(f"views:{slot}:{number}", thread_id, keep)
        return True, window

    def pending_slots(self, before: int) -> list[int]:
        width = settings.VIEW_COUNT_BUFFER_SECONDS
        first = slot_of(before - settings.VIEW_COUNT_KEEP_SECONDS)
        slots = range(first, before, width)
        found = self.cache.get_many([f"views:{slot}:n" for slot in slots])
        return [slot for slot in slots if found.get(f"views:{slot}:n")]

    def counts(self, slot: int) -> dict[int, int]:
        length = self.cache.get(f"views:{slot}:n") or 0
        found = self.cache.get_many([f"views:{slot}:{i}" for i in range(1, length + 1)])
        return dict(Counter(int(thread_id) for thread_id in found.values()))

    def forget(self, slot: int) -> None:
        length = self.cache.get(f"views:{slot}:n") or 0
        self.cache.delete_many(
            [f"views:{slot}:n", *(f"views:{slot}:{i}" for i in range(1, length + 1))]
        )

    def clear(self) -> None:
        self.cache.clear()


_RECORD_SCRIPT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  redis.call('SADD', KEYS[3], ARGV[4])
  redis.call('EXPIRE', KEYS[3], ARGV[3])
  return {1, tonumber(ARGV[1])}
end
return {0, redis.call('TTL', KEYS[1])}
"""


@functools.cache
def _record_script(client):
    """The script, registered once per process's client (EVALSHA; loaded on first use)."""
    return client.register_script(_RECORD_SCRIPT)


class RedisBuffer:
    """Buffered views in Redis: a hash per slot (thread id -> views) and a set of the slots
    holding any, written by one script call per view."""

    def __init__(self, cache: RedisCache) -> None:
        self.cache = cache

    def _client(self):
        return self.cache._cache.get_client(write=True)

    def _key(self, key: str) -> str:
        return self.cache.make_and_validate_key(key)

    def record(self, thread_id: int, viewer: str, slot: int) -> tuple[bool, float]:
        """Whether the view counted, and for how many seconds the viewer's mark lasts."""
        keys = [
            self._key(f"views:seen:{thread_id}:{viewer}"),
            self._key(f"views:{slot}"),
            self._key("views:slots"),
        ]
        args = [settings.VIEW_COUNT_WINDOW_SECONDS, thread_id, settings.VIEW_COUNT_KEEP_SECONDS]
        client = self._client()
        counted, lasts = _record_script(client)(keys=keys, args=[*args, slot], client=client)
        return bool(counted), max(int(lasts), 0)

    def pending_slots(self, before: int) -> list[int]:
        members = self._client().smembers(self._key("views:slots"))
        return sorted(slot for slot in (int(m) for m in members) if slot < before)

    def counts(self, slot: int) -> dict[int, int]:
        found = self._client().hgetall(self._key(f"views:{slot}"))
        return {int(thread_id): int(views) for thread_id, views in found.items()}

    def forget(self, slot: int) -> None:
        pipe = self._client().pipeline()
        pipe.delete(self._key(f"views:{slot}"))
        pipe.srem(self._key("views:slots"), slot)
        pipe.execute()

    def clear(self) -> None:
        self.cache.clear()


def buffer() -> CacheBuffer | RedisBuffer:
    """The buffer in the cache that every web process and worker share."""
    cache = caches[settings.VIEW_COUNT_CACHE]
    if isinstance(cache, RedisCache):
        return RedisBuffer(cache)
    return CacheBuffer(cache)
