"""The one configured site address (settings.SITE_URL) that every absolute link is built from.

Emails, calendar files, feeds and webhooks are read away from the page that made them, so
their links cannot take the host from a request: a request can arrive by any name (a proxy,
127.0.0.1, a container's name). They all use this one setting; `make run` sets it to the
address it serves.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def site_url() -> str:
    """The configured address without a trailing slash, e.g. "https://network.example"."""
    return settings.SITE_URL.rstrip("/")


def absolute(path: str) -> str:
    """An absolute link to a path on this site."""
    if path.startswith(("http://", "https://")):
        return path
    return site_url() + ("" if path.startswith("/") else "/") + path


class AtSiteAddress:
    """A request that answers host and scheme questions with the configured address, so code
    that builds links from a request (Django's syndication feeds) builds them from SITE_URL."""

    def __init__(self, request) -> None:
        self._request = request
        parts = urlsplit(site_url())
        self._host, self._secure = parts.netloc, parts.scheme == "https"

    def get_host(self) -> str:
        return self._host

    def is_secure(self) -> bool:
        return self._secure

    def build_absolute_uri(self, location: str | None = None) -> str:
        return absolute(location if location is not None else self._request.get_full_path())

    def __getattr__(self, name: str):
        return getattr(self._request, name)


class SiteAddressFeed:
    """Mix into a syndication Feed: its links and self link use SITE_URL, not the request."""

    def get_feed(self, obj, request):
        return super().get_feed(obj, AtSiteAddress(request))
