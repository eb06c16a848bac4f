"""Every URL pattern in the project, fed hostile path values and query strings, never answers 5xx.

The resolver is walked, so a new page is fuzzed the day it is added. Each pattern is
requested with its path values filled by real objects and by hostile values (huge,
negative, non-numeric, unicode, NUL, very long), and with hostile query strings and form
bodies, as an anonymous visitor and as a signed-in member, by GET and POST.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from tests import factories

HUGE = "99999999999999999999"
HOSTILE_PATH_VALUES = [HUGE, "-1", "abc", "ü名🙂\u202e", "a\x00b", "x" * 3000]
# Names views read from query strings and forms: numbers meet numeric trouble, text the rest.
NUMBER_KEYS = [
    "page", "offset", "after", "before", "year", "month", "number", "limit", "id", "post_ids[]",
    "hours", "minutes", "rating", "until", "level", "to", "quote", "space", "category",
]  # fmt: skip
TEXT_KEYS = [
    "q", "tag", "tags", "topic", "region", "period", "kind", "priority", "age", "action",
    "actor", "next", "token", "status", "sort", "title", "source", "body", "reason",
    "decision", "username", "email", "reference", "filter",
]  # fmt: skip
# Past Python's 4,300-digit limit on int(); long text is kept short enough to keep the test fast.
NUMBER_VALUES = [HUGE, "-1", "9" * 4400]
TEXT_VALUES = ["ü名🙂\u202e", "a\x00b", "abc" * 300]
MANY_TAGS = "tags:" + ",".join(f"t{i}" for i in range(60))
PATH_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + _route(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + _route(p.pattern), p


def _route(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern)
    assert isinstance(pattern, RegexPattern)
    return str(pattern).lstrip("^").rstrip("$").replace("\\.", ".")


def url_patterns() -> list[tuple[str, URLPattern]]:
    return list(_walk(get_resolver().url_patterns))


def _fill(route: str, value_for) -> str | None:
    """The route with each path value given by `value_for(converter, name)`; None when a
    value cannot match the converter (so the URL could not reach the view at all)."""

    def sub(match: re.Match) -> str:
        converter = match.group("converter") or "str"
        if converter.startswith("(?P"):
            converter = "str"
        return quote(value_for(converter, match["name"]), safe="")

    filled = REGEX_GROUP.sub(lambda m: quote(value_for("regex", m["name"]), safe=""), route)
    filled = PATH_PARAM.sub(sub, filled)
    if any(c in filled for c in "()|[]\\"):  # a regex we cannot fill (admin's app list)
        filled = re.sub(r"\([^)]*\)", "auth", filled).replace("\\", "")
    return "/" + filled


def _accepts(converter: str, value: str) -> bool:
    if converter == "int":
        return value.isascii() and value.isdigit()
    if converter == "slug":
        return re.fullmatch(r"[-a-zA-Z0-9_]+", value) is not None
    return "/" not in value


@pytest.fixture
def world(db):
    member = factories.make_user(username="fuzzmember")
    thread = factories.make_thread(author=member, title="A thread to fuzz around")
    factories.add_replies(thread, 1)
    first_post = thread.posts.get(number=1)
    real = {
        "username": member.username,
        "slug": thread.slug,
        "year": "2026",
        "month": "11",
        "number": "1",
        "tool": "lock",
        "kind": "analytics",
        "app_label": "auth",
        "url": "",
    }

    def real_value(converter: str, name: str) -> str:
        if name in real:
            return real[name]
        if name == "thread_id":
            return str(thread.pk)
        if converter in ("int", "path") or name.endswith("_id"):
            return str(first_post.pk)
        return "national"

    return member, real_value


def _hostile_paths(route: str, real_value) -> list[str]:
    urls = []
    for value in HOSTILE_PATH_VALUES:
        params = PATH_PARAM.findall(route) + [("regex", n) for n in REGEX_GROUP.findall(route)]
        if not params:
            break
        if not any(_accepts(conv or "str", value) for conv, _ in params):
            continue
        url = _fill(
            route, lambda conv, name, v=value: v if _accepts(conv, v) else real_value(conv, name)
        )
        urls.append(url)
    return urls


def _hostile_queries() -> list[dict]:
    """Three query strings in which every numeric name meets each numeric value and every
    text name each text value; the first also asks search for too many tags."""
    queries = []
    for number, text in zip(NUMBER_VALUES, TEXT_VALUES, strict=True):
        query = {key: number[:400] for key in NUMBER_KEYS} | {key: text for key in TEXT_KEYS}
        query["page"] = query["offset"] = number
        queries.append(query)
    queries[0]["q"] = MANY_TAGS
    return queries


def _not_applicable(response) -> bool:
    """A JSON 501 saying the operation does not apply here (api/http.py `not_applicable`)."""
    try:
        return response.json().get("error_type") == "not_applicable"
    except ValueError:
        return False


def test_no_url_answers_5xx_to_hostile_input(world, client, monkeypatch):
    member, real_value = world
    patterns = url_patterns()
    assert len(patterns) > 150  # the walk found the project's pages, not a handful
    anonymous = client
    from django.test import Client

    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(member)
    anonymous.raise_request_exception = False

    failures: list[str] = []
    # Thousands of 404s would be logged one by one: keep only what the test reports.
    monkeypatch.setattr(logging.getLogger("django.request"), "disabled", True)

    def check(c, method: str, url: str, data=None) -> None:
        response = getattr(c, method)(url, data or {})
        if c is signed_in and method == "post" and "_auth_user_id" not in c.session:
            c.force_login(member)  # the POST signed the member out: sign in again
        if response.status_code == 501 and _not_applicable(response):
            return  # the API's deliberate answer for Discourse features the network has not
        if response.status_code >= 500:
            who = "member" if c is signed_in else "anonymous"
            failures.append(
                f"{response.status_code} {who} {method.upper()} {url[:120]} {data!s:.80}"
            )

    queries = _hostile_queries()

    for route, _pattern in patterns:
        real_url = _fill(route, real_value)
        if route.startswith("admin/"):
            # Django's own admin turns both visitors away; one look each keeps it covered.
            for c in (anonymous, signed_in):
                check(c, "get", real_url + "?" + urlencode(queries[0]))
            continue
        paths = [real_url, *_hostile_paths(route, real_value)]
        for url in paths:
            check(anonymous, "get", url)
            check(signed_in, "get", url)
        # Visitors are mostly sent to sign in: one query and one form each is enough for them.
        check(anonymous, "get", real_url + "?" + urlencode(queries[0]))
        check(anonymous, "post", real_url, queries[1])
        for query in queries:
            check(signed_in, "get", real_url + "?" + urlencode(query))
        for body in queries[:2]:
            check(signed_in, "post", real_url, body)
    assert not failures, f"{len(failures)} answers were 5xx:\n" + "\n".join(failures)
