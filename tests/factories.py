"""Small builders for test data. Writes go through actions wherever an action exists."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from community.accounts.models import Region
from community.forum import actions
from community.forum.models import Membership, Space, Thread, Topic

_seq = itertools.count(1)


def make_user(role: str = "practitioner", **fields):
    n = next(_seq)
    username = fields.pop("username", f"member{n}")
    defaults = {
        "email": f"{username}@example.org",
        "display_name": fields.pop("display_name", f"Member {n}"),
        "role": role,
        "age_band": "26+",
        # Established members by default; tests of new members ask for trust_level=0.
        "trust_level": 1,
    }
    defaults.update(fields)
    user = get_user_model().objects.create_user(
        username=username, password="pw-Example-1234", **defaults
    )
    return user


def make_moderator(**fields):
    return make_user(role="moderator", **fields)


def national() -> Space:
    return Space.objects.get(slug="national")


def regional_group(slug: str = "london") -> Space:
    return Space.objects.get(region__slug=slug)


def private_group(name: str = "Private region pilot") -> Space:
    """A group-members-only space: the 'private region' of the visibility tests."""
    region = Region.objects.get(slug="south-east")
    space = Space.objects.get(region=region)
    space.visibility = Space.Visibility.GROUP
    space.open_membership = False
    space.name = name
    space.save()
    return space


def premoderated_space() -> Space:
    return Space.objects.get(slug="parents-and-carers")


def any_topic() -> Topic:
    return Topic.objects.order_by("slug").first()


def make_thread(
    author=None,
    space: Space | None = None,
    title: str | None = None,
    source: str = "First post body",
    **kw,
) -> Thread:
    author = author or make_user()
    space = space or national()
    if space.visibility == Space.Visibility.GROUP:
        Membership.objects.get_or_create(user=author, space=space)
        author.__dict__.pop("_member_space_ids", None)
    return actions.start_thread(
        author=author,
        space=space,
        topic=kw.pop("topic", None) or any_topic(),
        title=title or f"A thread about practice {next(_seq)}",
        source=source,
        **kw,
    )


def add_replies(thread: Thread, count: int, author=None) -> None:
    author = author or make_user()
    for i in range(count):
        actions.create_post(
            author=author, thread=thread, source=f"Reply number {i} with some words"
        )


def bulk_replies(thread: Thread, count: int, author=None) -> None:
    """Many replies at once, counters kept as the actions would keep them (for size tests)."""
    from django.db.models import F

    from community.forum.models import Post

    author = author or make_user()
    start = thread.highest_post_number
    first = thread.posts.get(number=1)
    Post.objects.bulk_create(
        Post(
            thread=thread,
            number=start + i,
            author=author,
            source=f"Reply {i}",
            html=f"<p>Reply {i}</p>",
            text=f"Reply {i}",
            reaction_counts={"like": 1} if i % 3 else {},
            reply_to=first if i % 5 == 0 else None,
            reply_to_number=1 if i % 5 == 0 else None,
        )
        for i in range(1, count + 1)
    )
    Thread.objects.filter(pk=thread.pk).update(
        highest_post_number=start + count, post_count=F("post_count") + count
    )
    thread.refresh_from_db()


def bulk_threads(space: Space, count: int, author=None) -> None:
    """Many one-post threads at once, for size tests."""
    from community.forum.models import Post

    author = author or make_user()
    topic = any_topic()
    threads = Thread.objects.bulk_create(
        Thread(
            space=space,
            topic=topic,
            title=f"Bulk thread {i}",
            slug=f"bulk-thread-{i}",
            author=author,
            post_count=1,
            highest_post_number=1,
            last_poster_name=author.display_name,
        )
        for i in range(count)
    )
    Post.objects.bulk_create(
        Post(thread=t, number=1, author=author, source="Body", html="<p>Body</p>", text="Body")
        for t in threads
    )
    for t in threads[:: max(count // 5, 1)]:
        t.tags.add("bulk", "size")
