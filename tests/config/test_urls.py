"""The forum's URL patterns come first for speed (config/urls.py); that must not change where
any URL goes. Every pattern's example path resolves to the same view with the forum first
as with the forum last, where it used to be."""

import re
import types

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

import config.urls

EXAMPLES = {"int": "7", "slug": "a-slug", "str": "name", "path": "a/b", "uuid": None}


def _routes(patterns, prefix=""):
    for entry in patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue  # regular expressions (allauth's few) have no example to build
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def _example(route: str) -> str | None:
    def value(match):
        converter = match.group(1) or "str"
        return EXAMPLES.get(converter, "a-slug") or ""

    example = re.sub(r"<(?:(\w+):)?\w+>", value, route)
    return "/" + example


def _resolver_with_forum_last():
    patterns = list(config.urls.urlpatterns)
    forum = patterns.pop(0)
    assert "community.forum.urls" in str(forum.urlconf_name)
    module = types.SimpleNamespace(urlpatterns=[*patterns, forum])
    return URLResolver(RegexPattern(r"^/"), module)


def _where(resolver, url):
    try:
        match = resolver.resolve(url)
    except Exception as exc:  # noqa: BLE001 - a 404 is an answer too
        return type(exc).__name__
    return (match.func.__module__, getattr(match.func, "__name__", ""), match.url_name)


def test_every_url_goes_where_it_went_with_the_forum_last():
    now = get_resolver()
    before = _resolver_with_forum_last()
    examples = {_example(route) for route in _routes(now.url_patterns)}
    assert len(examples) > 150  # the whole site, not an empty walk
    moved = {url: (_where(before, url), _where(now, url)) for url in sorted(examples)}
    moved = {url: pair for url, pair in moved.items() if pair[0] != pair[1]}
    assert moved == {}


def test_the_thread_page_is_found_among_the_first_patterns():
    resolver = get_resolver()
    match = resolver.resolve("/t/a-thread/7/")
    assert match.url_name == "thread"
    assert get_resolver().url_patterns[0].urlconf_name.__name__ == "community.forum.urls"
