"""Who is online now, kept in the shared cache (several processes read it)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.core.cache import cache

ONLINE_SECONDS = 300
# A member counts as online for ONLINE_SECONDS after their last mark; marking them again
# sooner than this changes nothing anyone sees, so each process writes at most once per
# member in this time (a request writes nothing on most pages).
REMARK_SECONDS = 120
_last_marked: dict[int, float] = {}


def mark_seen(user_id: int) -> None:
    cache.set(f"seen:{user_id}", 1, ONLINE_SECONDS)


def online_ids(user_ids: Iterable[int]) -> set[int]:
    keys = {f"seen:{uid}": uid for uid in user_ids}
    if not keys:
        return set()
    return {keys[k] for k in cache.get_many(list(keys))}


def mark_seen_now_and_then(user_id: int) -> None:
    now = time.monotonic()
    if now - _last_marked.get(user_id, -REMARK_SECONDS) >= REMARK_SECONDS:
        if len(_last_marked) > 10_000:
            _last_marked.clear()  # bounded: forgetting only means one extra write
        _last_marked[user_id] = now
        mark_seen(user_id)


class PresenceMiddleware:
    """Note signed-in members as online (a cache write at most every REMARK_SECONDS per member
    and process, no database)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            mark_seen_now_and_then(user.pk)
        return response
