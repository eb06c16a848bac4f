"""The network's one rate limiter, kept in the shared cache so every process counts the same hits.

Sign-in (the members' form, the admin's, any other way that authenticates a password),
posting, flagging, private messages and visitors' forms all count here. A limit that is hit
raises `RateLimited`, a ValidationError carrying `wait_seconds`: forms show it beside the
field and keep what the person wrote, and `RateLimitMiddleware` turns the page that shows it
into a 429 with `Retry-After`, so people and programs both learn how long to wait.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)

# The waits refused during the current request, read by RateLimitMiddleware. A list shared by
# reference, so a refusal recorded in a copied context (a thread under ASGI) still counts.
_refusals: ContextVar[list[int] | None] = ContextVar("ratelimit_refusals", default=None)


class RateLimited(ValidationError):
    """A form or API error for a limit that was hit; `wait_seconds` says when to try again.

    A ValidationError, so forms show it beside the field and keep the text; the API answers
    it with 429 and `extras.wait_seconds`, as Discourse does, and HTML pages that show it are
    answered with 429 too.
    """

    def __init__(self, message, *, wait_seconds: int) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds
        refusals = _refusals.get()
        if refusals is not None:
            refusals.append(wait_seconds)


def _cache_key(scope: str, key: str | int, bucket: int) -> str:
    return f"ratelimit:{scope}:{key}:{bucket}"


def hit(scope: str, key: str | int, *, limit: int, window: int) -> int:
    """Count one hit; return 0 if allowed, else the seconds to wait until the window ends."""
    return hit_and_read(scope, key, limit=limit, window=window)[0]


def hit_and_read(
    scope: str, key: str | int, *, limit: int, window: int, read: Sequence[str] = ()
) -> tuple[int, dict]:
    """`hit`, and the cache's values at the keys `read` (those found), in the same round trip
    where the cache can (Redis): a caller about to read them saves one."""
    now = int(time.time())
    bucket = now // window
    cache_key = _cache_key(scope, key, bucket)
    found: dict = {}
    try:
        if hasattr(cache, "count_and_read"):  # Redis (community.rediscache): one round trip
            count, found = cache.count_and_read(cache_key, 2 * window + 1, read)
        elif cache.add(cache_key, 1, timeout=2 * window + 1):
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:  # expired between add and incr
                cache.set(cache_key, 1, timeout=2 * window + 1)
                count = 1
    except Exception:  # the cache (Redis) is unreachable: fail safe for a short outage
        logger.warning("rate limit %s not counted: the cache is unreachable", scope, exc_info=True)
        return 0, {}
    if count <= limit:
        return 0, found
    return max((bucket + 1) * window - now, 1), found


def check(scope: str, key: str | int, *, limit: int, window: int, message) -> None:
    """Count one hit and raise `RateLimited` if it went over the limit.

    `message` is formatted with `%(wait)s`, the wait in words ("3 minutes"); give a dict
    `{field: message}` to show it beside a field.
    """
    wait = hit(scope, key, limit=limit, window=window)
    if wait:
        raise refusal(message, wait)


def blocked_for(scope: str, key: str | int, *, limit: int, window: int) -> int:
    """Without counting a hit: 0 if fewer than `limit` hits lately, else the seconds to wait.

    "Lately" is this window and the one before, for limits checked before the thing they
    count happens (sign-in failures), so that crossing into a new window does not wipe out
    the failures of a moment ago.
    """
    now = int(time.time())
    bucket = now // window
    keys = [_cache_key(scope, key, bucket), _cache_key(scope, key, bucket - 1)]
    found = cache.get_many(keys)
    current, previous = (int(found.get(k, 0)) for k in keys)
    if current + previous < limit:
        return 0
    # Once the older window drops out, only this one's hits still count.
    ends = bucket + (2 if current >= limit else 1)
    return max(ends * window - now, 1)


def wait_in_words(seconds: int) -> str:
    from django.utils.translation import ngettext

    if seconds < 90:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = (seconds + 59) // 60
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def refusal(message, wait: int) -> RateLimited:
    """The error for a refused hit, its message told how long to wait."""
    words = wait_in_words(wait)
    if isinstance(message, dict):
        text = {field: str(m) % {"wait": words} for field, m in message.items()}
    else:
        text = str(message) % {"wait": words}
    return RateLimited(text, wait_seconds=wait)


def address_key(request) -> str:
    """A visitor's address, hashed with the secret key: counted, never stored as given."""
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]


class RateLimitMiddleware:
    """Answer 429, with Retry-After, for any HTML page that shows a rate-limit refusal.

    The page itself (the form with its error and the person's text kept) is the body: it says
    how long to wait. JSON answers are the API's own business.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        refusals: list[int] = []
        token = _refusals.set(refusals)
        try:
            response = self.get_response(request)
        finally:
            _refusals.reset(token)
        if (
            refusals
            and response.status_code in (200, 400, 403)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            response.status_code = 429
            response["Retry-After"] = str(max(refusals))
        return response
