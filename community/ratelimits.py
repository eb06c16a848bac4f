"""Rate limits kept in the shared cache, so every process counts the same hits."""

from __future__ import annotations

import time

from django.core.cache import cache


def hit(scope: str, key: str | int, *, limit: int, window: int) -> int:
    """Count one hit; return 0 if allowed, else the seconds to wait until the window ends."""
    now = int(time.time())
    bucket = now // window
    cache_key = f"ratelimit:{scope}:{key}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=window + 1)
            count = 1
    if count <= limit:
        return 0
    return max((bucket + 1) * window - now, 1)
