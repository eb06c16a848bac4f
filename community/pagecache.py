"""Whole-page cache for anonymous visitors, invalidated by any forum write.

A generation number in the shared cache is part of every key; a write bumps it,
so every process stops serving the old pages at once.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

GENERATION_KEY = "pagecache:generation"


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return int(value)


def invalidate(event: dict | None = None) -> None:
    """Drop every cached anonymous page; events that touch no thread, space or library resource change none."""
    if event is not None and not (
        {"thread_id", "space_id", "thread_ids", "resource_id"} & event.keys()
    ):
        return
    if hasattr(cache, "count"):  # Redis (community.rediscache): one round trip, not two
        # A lost generation starts again above 1, the value readers assume when it is missing.
        cache.count(GENERATION_KEY, timeout=None, start=1)
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


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
