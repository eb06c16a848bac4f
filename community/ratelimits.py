"""Rate limits kept in the shared cache, so every process counts the same hits."""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)


class RateLimited(ValidationError):
    """A form or API error for a limit that was hit; `wait_seconds` says when to try again.

    A ValidationError, so forms show it beside the field and keep the text; the API answers
    it with 429 and `extras.wait_seconds`, as Discourse does.
    """

    def __init__(self, message, *, wait_seconds: int) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


def hit(scope: str, key: str | int, *, limit: int, window: int) -> int:
    """Count one hit; return 0 if allowed, else the seconds to wait until the window ends."""
    now = int(time.time())
    bucket = now // window
    cache_key = f"ratelimit:{scope}:{key}:{bucket}"
    try:
        if cache.add(cache_key, 1, timeout=window + 1):
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:  # expired between add and incr
                cache.set(cache_key, 1, timeout=window + 1)
                count = 1
    except Exception:  # the cache (Redis) is unreachable: fail safe for a short outage
        logger.warning("rate limit %s not counted: the cache is unreachable", scope, exc_info=True)
        return 0
    if count <= limit:
        return 0
    return max((bucket + 1) * window - now, 1)
