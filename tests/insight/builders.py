"""Known activity for the insight tests: rows written directly, at chosen times, so each
figure on the dashboard can be checked against what was built."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from community.accounts.models import LocalAuthority, Region
from community.forum.models import Post, Space, Status, Thread, Topic
from tests.factories import make_user

_seq = itertools.count(1)


def region(slug: str) -> Region:
    return Region.objects.get(slug=slug)


def authority_in(slug: str, index: int = 0) -> LocalAuthority:
    return LocalAuthority.objects.filter(region__slug=slug).order_by("name")[index]


def topics() -> list[Topic]:
    return list(Topic.objects.order_by("slug")[:3])


def member(role: str = "practitioner", *, region_slug: str = "london", la_index: int = 0, **kw):
    return make_user(
        role,
        home_region=region(region_slug),
        local_authority=authority_in(region_slug, la_index),
        is_verified=role in ("practitioner", "commissioner", "expert"),
        **kw,
    )


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def thread(
    author,
    *,
    topic: Topic,
    space: Space | None = None,
    at=None,
    replies: list[tuple[object, timedelta]] = (),
    status: str = Status.PUBLISHED,
    title: str | None = None,
) -> Thread:
    """A thread with its first post and replies (author, time after the first post)."""
    at = at or days_ago(5)
    space = space or Space.objects.get(slug="national")
    n = next(_seq)
    t = Thread.objects.create(
        space=space, topic=topic, title=title or f"Known thread {n}", slug=f"known-{n}",
        author=author, status=status, created_at=at, post_count=1 + len(replies),
        highest_post_number=1 + len(replies), last_post_at=at,
    )  # fmt: skip
    post(t, author, 1, at, status=status)
    for number, (who, after) in enumerate(replies, start=2):
        post(t, who, number, at + after)
    return t


def post(t: Thread, author, number: int, at, *, status: str = Status.PUBLISHED) -> Post:
    return Post.objects.create(
        thread=t, number=number, author=author, source="words", html="<p>words</p>",
        text="words", status=status, created_at=at,
    )  # fmt: skip


def reply(t: Thread, author, *, at=None, status: str = Status.PUBLISHED) -> Post:
    """A reply; published ones are counted in the thread's counters, as the actions do."""
    number = t.posts.count() + 1
    at = at or days_ago(4)
    if status == Status.PUBLISHED:
        Thread.objects.filter(pk=t.pk).update(
            post_count=F("post_count") + 1, highest_post_number=number, last_post_at=at
        )
    else:
        Thread.objects.filter(pk=t.pk).update(highest_post_number=number)
    return post(t, author, number, at, status=status)
