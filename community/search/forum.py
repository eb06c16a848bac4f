"""Forum posts as a kind of search result, through the forum's one visibility rule."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from community.accounts import permissions as member_permissions
from community.forum import permissions
from community.forum.models import Bookmark, Post, Thread, Topic

from .query import ParsedQuery
from .registry import Hit, IndexEntry


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


POST_EVENTS = (
    "thread.created",
    "post.created",
    "post.edited",
    "post.deleted",
    "post.restored",
    "post.approved",
    "post.imported",
)


class ForumPostProvider:
    kind = "post"
    reindex_on = dict.fromkeys(POST_EVENTS, "post_id")
    # A post's document carries the time it was written, which before:/after: test and
    # which never changes: the backend may filter documents by it directly.
    indexed_date_is_filter_date = True

    def candidates(self, viewer, query: ParsedQuery) -> QuerySet | None:
        qs = Post.objects.filter(
            kind=Post.Kind.POST, deleted_at__isnull=True, thread__deleted_at__isnull=True
        )
        qs = permissions.listable_posts(viewer, qs)
        signed_in = bool(viewer and viewer.is_authenticated)
        if query.username:
            # Searching by author goes through who may be found: a child is not, for adults.
            # Resolved first, so the plan starts from that member's posts (post_author index)
            # instead of testing every match against a subquery.
            author_ids = list(
                member_permissions.visible_members(viewer)
                .filter(username__iexact=query.username)
                .order_by()  # by the upper-case index, not a walk in username order
                .values_list("pk", flat=True)[:1]
            )
            if not author_ids:
                return qs.none().values("pk")
            qs = qs.filter(author_id=author_ids[0])
        if query.category:
            space = permissions.visible_spaces(viewer).filter(slug=query.category).first()
            if space is not None:
                qs = qs.filter(thread__space=space)
            elif Topic.objects.filter(slug=query.category).exists():
                qs = qs.filter(thread__topic__slug=query.category)
            else:
                return qs.none().values("pk")
        for tag in query.tags:
            # The tagged threads as a set (a few thousand ids), not a join per post.
            qs = qs.filter(thread_id__in=Thread.objects.filter(tags__slug=tag).values("pk"))
        if query.in_bookmarks:
            if not signed_in:
                return qs.none().values("pk")
            qs = qs.filter(pk__in=Bookmark.objects.filter(user=viewer).values("post_id"))
        if query.in_mine:
            if not signed_in:
                return qs.none().values("pk")
            qs = qs.filter(author=viewer)
        if query.status == "open":
            qs = qs.filter(thread__is_closed=False, thread__is_archived=False)
        elif query.status == "closed":
            qs = qs.filter(thread__is_closed=True)
        elif query.status == "archived":
            qs = qs.filter(thread__is_archived=True)
        elif query.status == "solved":
            qs = qs.filter(thread__accepted_answer__isnull=False)
        elif query.status == "unsolved":
            # As Discourse's Solved: threads where an answer could be chosen and none has been.
            qs = qs.filter(
                thread__space__accepted_answers=True, thread__accepted_answer__isnull=True
            )
        if query.before:
            qs = qs.filter(created_at__lt=_day_start(query.before))
        if query.after:
            qs = qs.filter(created_at__gte=_day_start(query.after))
        return qs.values("pk")

    def load(self, viewer, ids: Iterable[int]) -> dict[int, Hit]:
        posts = Post.objects.filter(pk__in=list(ids)).select_related(
            "author", "thread__space", "thread__topic"
        )
        hits = {}
        for post in posts:
            thread = post.thread
            hits[post.pk] = Hit(
                kind=self.kind,
                object_id=post.pk,
                title=thread.title,
                url=thread.post_url(post.number),
                created_at=post.created_at,
                label=_("Post"),
                author_name=post.author.display_name or post.author.username,
                context=f"{thread.space.name} · {thread.topic.name}",
                obj=post,
            )
        return hits

    def entries(self, ids: Iterable[int] | None = None) -> Iterable[IndexEntry]:
        qs = Post.objects.filter(kind=Post.Kind.POST).select_related("thread")
        if ids is not None:
            qs = qs.filter(pk__in=list(ids))
        rows = qs.values_list("pk", "number", "thread__title", "text", "created_at")
        for pk, number, title, text, created_at in rows.iterator(chunk_size=2000):
            yield IndexEntry(
                object_id=pk, title=title if number == 1 else "", body=text, created_at=created_at
            )
