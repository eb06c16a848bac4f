"""The forum's actions for bringing a conversation across from another forum (a Discourse import).

Imported threads keep their authors, order and times. They run through the forum's markup
and screens like any post: what a screen would hold is held for a moderator, and what is
published is announced only to search (`post.imported`), never to members' notifications,
since nothing new happened for them. Only centre staff import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _

from community import markup
from community.events import publish_on_commit

from . import screening
from .actions import normalise_tags
from .models import Post, Reaction, Space, Status, Thread, Topic


@dataclass(frozen=True)
class ImportedPost:
    author: object
    source: str
    created_at: datetime
    edited_at: datetime | None = None


def _require_staff(actor) -> None:
    if not (actor and actor.is_authenticated and actor.is_centre_staff):
        raise PermissionDenied(_("Only centre staff import from another forum."))


@transaction.atomic
def import_space(*, actor, slug: str, name: str, description: str, restricted: bool) -> Space:
    """A community space for an imported category; a restricted one is for staff until opened."""
    _require_staff(actor)
    base = slugify(slug or name)[:40] or "imported"
    unique, n = base, 1
    while Space.objects.filter(slug=unique).exists():
        n += 1
        unique = f"{base}-{n}"
    return Space.objects.create(
        slug=unique,
        name=name[:120],
        description=description,
        kind=Space.Kind.COMMUNITY,
        visibility=Space.Visibility.STAFF if restricted else Space.Visibility.MEMBERS,
        position=1000 + Space.objects.count(),
    )


def _screened(author, space: Space, source: str, *, first: bool):
    rendered = markup.render(source)
    verdict = screening.screen(
        screening.Submission(
            author=author, space=space, source=source, html=rendered.html,
            is_new_thread=first, is_edit=False,
        )
    )  # fmt: skip
    if verdict.censored_source is not None:
        source = verdict.censored_source
        rendered = markup.render(source)
    held = bool(verdict.held or verdict.blocked)
    return source, rendered, held, verdict


@transaction.atomic
def import_thread(
    *, actor, space: Space, topic: Topic, title: str, tags: Iterable[str],
    posts: Sequence[ImportedPost], closed: bool = False, pinned: bool = False, views: int = 0,
) -> Thread:  # fmt: skip
    """Create a thread with its posts in order, as they were; counters computed once (its
    view count as the source counted it)."""
    _require_staff(actor)
    if not posts:
        raise ValueError("a thread needs its first post")
    title = " ".join(title.split())[:200]
    first = posts[0]
    thread = Thread.objects.create(
        space=space, topic=topic, title=title, slug=slugify(title)[:80] or "thread",
        author=first.author, created_at=first.created_at, last_post_at=first.created_at,
        last_poster_name=first.author.display_name, last_poster=first.author,
        is_closed=closed, is_pinned=pinned, view_count=max(views, 0),
    )  # fmt: skip
    tag_names = normalise_tags(list(tags)[:5])
    if tag_names:
        thread.tags.set(tag_names)
    created, held_events = [], []
    for number, item in enumerate(posts, start=1):
        source, rendered, held, verdict = _screened(item.author, space, item.source.strip(),
                                                    first=number == 1)  # fmt: skip
        post = Post.objects.create(
            thread=thread, number=number, author=item.author, source=source, html=rendered.html,
            text=rendered.text, status=Status.HELD if held else Status.PUBLISHED,
            created_at=item.created_at, edited_at=item.edited_at,
        )  # fmt: skip
        created.append(post)
        if held:
            held_events.append((post, verdict))
    published = [p for p in created if p.status == Status.PUBLISHED]
    thread.status = Status.PUBLISHED if created[0].status == Status.PUBLISHED else Status.HELD
    thread.post_count = len(published) if thread.status == Status.PUBLISHED else 0
    thread.highest_post_number = len(created)
    if published:
        thread.last_post_at = published[-1].created_at
        thread.last_poster_name = published[-1].author.display_name
        thread.last_poster = published[-1].author
    thread.save()
    if thread.status == Status.PUBLISHED:
        Space.objects.filter(pk=space.pk).update(
            thread_count=F("thread_count") + 1,
            post_count=F("post_count") + thread.post_count,
        )
    for post in published:
        publish_on_commit({"type": "post.imported", "post_id": post.pk, "thread_id": thread.pk,
                           "space_id": space.pk, "number": post.number})  # fmt: skip
    for post, verdict in held_events:
        # Held like any post a screen holds: into the review queue, with the screen's reasons.
        publish_on_commit({
            "type": "thread.created" if post.number == 1 else "post.created",
            "post_id": post.pk, "thread_id": thread.pk, "space_id": space.pk,
            "number": post.number, "author_id": post.author_id, "status": Status.HELD,
            "title": title, "held_reasons": verdict.held_reasons or ["imported"],
            "flag_reasons": verdict.flag_reasons, "matches": verdict.matches,
            "mentioned_ids": [], "quoted_numbers": [], "reply_to_author_id": None,
        })  # fmt: skip
    return thread


@transaction.atomic
def import_like(*, actor, post: Post, member) -> bool:
    """Record an imported like; True when it was new."""
    _require_staff(actor)
    _reaction, created = Reaction.objects.get_or_create(
        post=post, user=member, kind=Reaction.Kind.LIKE
    )
    if created:
        counts = dict(post.reaction_counts or {})
        counts["like"] = counts.get("like", 0) + 1
        Post.objects.filter(pk=post.pk).update(reaction_counts=counts)
        post.reaction_counts = counts
        Thread.objects.filter(pk=post.thread_id).update(like_count=F("like_count") + 1)
    return created
