"""PostgreSQL finds a word's newest matches window by window (community/search/backends.py).

The windows only change how the database looks for the newest matches, never which: with
any bounds, and with or without them, a search gives the same hits in the same order, and
nothing the viewer may not read.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.forum import actions
from community.forum.models import Post
from community.search import backends
from community.search.models import Document
from community.search.query import parse
from community.search.service import search
from tests import factories as f
from tests.conftest import require_service

pytestmark = pytest.mark.django_db

START = timezone.now() - timedelta(days=300)


@pytest.fixture(autouse=True)
def _postgresql():
    require_service(
        "PostgreSQL (DATABASE_URL)",
        os.environ.get("DATABASE_URL", "").startswith("postgres")
        and connection.vendor == "postgresql",
    )


def _dated(post: Post, days: int) -> Post:
    """Move a post (and its document) to START + days, as if written then."""
    when = START + timedelta(days=days)
    Post.objects.filter(pk=post.pk).update(created_at=when)
    Document.objects.filter(kind="post", object_id=post.pk).update(created_at=when)
    return post


@pytest.fixture
def timeline(committed, settings):
    """Thirty public posts about sleep over 300 days, with a private group's, a held and a
    hidden one among them."""
    settings.POSTS_PER_MINUTE = 100
    author = f.make_user(username="carol")
    other = f.make_user(username="dave")
    repliers = [f.make_user() for _ in range(3)]  # new members post at most 30 a day
    with committed():
        thread = f.make_thread(author=author, title="Sleep routines", source="Sleep at home.")
        posts = [thread.posts.get(number=1)]
        for day in range(1, 30):
            words = "sleep and naps" if day % 3 else "sleep sleep sleep, and bedtime sleep"
            replier = repliers[day % 3]
            posts.append(
                actions.create_post(author=replier, thread=thread, source=f"{words} {day}")
            )
        private = f.make_thread(
            author=other, space=f.private_group(), title="Group notes", source="Private sleep."
        )
        held = f.make_thread(
            author=other,
            space=f.premoderated_space(),
            title="A parent asks",
            source="Held sleep question.",
        )
        hidden = actions.create_post(author=other, thread=thread, source="Hidden sleep remark.")
    for day, post in enumerate(posts):
        _dated(post, day * 10)
    _dated(private.posts.get(number=1), 155)
    _dated(held.posts.get(number=1), 165)
    _dated(hidden, 175)
    Post.objects.filter(pk=hidden.pk).update(status="hidden")
    Document.objects.filter(kind="post", object_id=hidden.pk).update(status="hidden")
    return {
        "posts": posts, "private": private.posts.get(number=1), "held": held.posts.get(number=1),
        "hidden": hidden,
    }  # fmt: skip


def _run(viewer, text: str, *, page: int = 1, per_page: int = 4) -> tuple[list[int], bool]:
    with CaptureQueriesContext(connection) as queries:
        results = search(viewer, text, page=page, per_page=per_page)
    windowed = any("MATERIALIZED" in q["sql"] for q in queries.captured_queries)
    return [hit.object_id for hit in results.hits], windowed


BOUNDS = {
    "none": [],
    "one": [START + timedelta(days=150)],
    "several": [START + timedelta(days=d) for d in (285, 240, 170, 60)],
    "empty windows": [START + timedelta(days=d) for d in (2000, 1000, -1000)],
    "on a post's time": [START + timedelta(days=d) for d in (200, 100)],
}


@pytest.mark.parametrize("ranked", [3, 500])
@pytest.mark.parametrize("walk_first", [False, True])
def test_any_windows_give_the_same_hits_in_the_same_order(
    timeline, monkeypatch, ranked, walk_first
):
    monkeypatch.setattr(backends, "RANKED_CANDIDATES", ranked)
    member = f.make_user()
    queries = [
        (None, "sleep"), (member, "sleep"), (None, "sleep order:latest"),
        (None, "sleep #national"), (None, "bedtime sleep"), (None, '"bedtime sleep"'),
        (member, "sleep -naps"),
    ]  # fmt: skip
    for viewer, text in queries:
        for page in (1, 2, 3):
            monkeypatch.setattr(backends, "window_bounds", lambda query, count: ([], False))
            expected, windowed = _run(viewer, text, page=page)
            assert not windowed
            for name, bounds in BOUNDS.items():
                monkeypatch.setattr(
                    backends, "window_bounds", lambda q, c, b=bounds: (list(b), walk_first)
                )
                found, windowed = _run(viewer, text, page=page)
                assert windowed == bool(bounds), name
                assert found == expected, (text, page, name)
    # And what no visitor may read stays out, whatever the windows.
    monkeypatch.setattr(
        backends, "window_bounds", lambda q, c: (list(BOUNDS["several"]), walk_first)
    )
    everything, _ = _run(None, "sleep", per_page=100)
    assert len(everything) == 30
    hidden = {timeline["private"].pk, timeline["held"].pk, timeline["hidden"].pk}
    assert not hidden & set(everything)


def test_windows_follow_how_common_the_words_are(timeline, monkeypatch):
    dates = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=3 * i) for i in range(101)]
    statistics = {
        "total": 1_000_000, "dates": dates, "spaces": {"national": 0.32},
        "shares": {"support": 0.04, "sleep": 0.0117, "fund": 0.018}, "unknown_share": 0.0034,
    }  # fmt: skip
    monkeypatch.setattr(backends, "_read_statistics", lambda: statistics)

    def bounds(text: str, count: int = 500) -> tuple[list, bool]:
        return backends.window_bounds(parse(text), count)

    # Common: the newest 1/16 of the documents should hold 500 matches (3.8 % for a
    # visitor), and walking it reads fewer rows than the word has index entries.
    assert bounds("support") == ([dates[94]], True)
    assert bounds("support #national") == ([dates[94]], True)  # 3.9 % of that space's share
    assert bounds("breastfeeding") == ([], False)  # rare: its own index entries are few
    # `sleep`: 500 matches for a visitor need the newest 12.8 % of the documents.
    assert bounds("sleep") == ([dates[75]], False)
    assert bounds("sleep #national") == ([dates[75]], False)  # 500 / (0.0117 * 0.32 * 1M)
    assert bounds("funding #national") == ([dates[88], dates[75]], False)  # 8.7 %
    # 200 of `sleep` in the national space are in its newest 5.3 %, but walking there reads
    # 53,000 rows against the word's 11,700 index entries: windows through the index.
    assert bounds("sleep #national", count=200) == ([dates[94], dates[88], dates[75]], False)
    assert bounds("funding #unknown-space") == ([], False)  # a topic, or no such space
    for narrowed in ("sleep @carol", "sleep tags:x", "sleep status:open", "sleep after:2026-01-01"):
        assert bounds(narrowed) == ([], False)
    assert bounds("sleep", count=21) == ([dates[94]], True)  # order:latest's one page
    # Words that must all match: `support` in 4 % and `sleep` in 1.17 % of the documents,
    # together in about 0.05 %: rare.
    assert bounds("support sleep") == ([], False)
