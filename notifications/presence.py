"""Who is online now, kept in the shared cache (several processes read it)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

ONLINE_SECONDS = 300


def mark_seen(user_id: int) -> None:
    cache.set(f"seen:{user_id}", 1, ONLINE_SECONDS)


def online_ids(user_ids: Iterable[int]) -> set[int]:
    keys = {f"seen:{uid}": uid for uid in user_ids}
    if not keys:
        return set()
    return {keys[k] for k in cache.get_many(list(keys))}


class PresenceMiddleware:
    """Note signed-in members as online on each request (one cache write, no database)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            mark_seen(user.pk)
        return response
