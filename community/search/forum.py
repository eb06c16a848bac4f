"""Forum posts as a kind of search result, through the forum's one visibility rule."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from community.accounts import permissions as member_permissions
from community.compiled import CompiledQuery
from community.forum import permissions
from community.forum.models import Bookmark, Post, Space, Thread, Topic

from .models import Document
from .query import ParsedQuery
from .registry import Hit, IndexEntry, pk_among


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
    # A flag or a review can hide a post, or put a hidden one back.
    "post.flagged",
    "review.resolved",
)
# Events that change what every post of a thread copies from it (its space, topic, status,
# tools, answer), or move posts between threads: the thread's documents are refreshed.
THREAD_EVENTS = (
    "thread.edited",
    "thread.deleted",
    "thread.hidden",
    "thread.moved",
    "thread.split",
    "thread.status",
    "answer.accepted",
    "answer.unaccepted",
)
# The thread tools (`thread.status` events) whose marks a document copies.
COPIED_THREAD_FLAGS = ("closed", "archived", "visible")
# Events on one post that change its thread too when it is the first post (deleting,
# restoring, approving or un-hiding the question deletes, restores or publishes the thread).
FIRST_POST_EVENTS = ("post.deleted", "post.restored", "post.approved", "review.resolved")

# Where each field the forum's listable-posts rule tests is copied on a post's document.
DOCUMENT_COLUMNS = {
    "audience": "audience",
    "status": "status",
    "deleted_at": "deleted_at",
    "author_id": "author_id",
    "thread__space_id": "space_id",
    "thread__status": "thread_status",
    "thread__deleted_at": "thread_deleted_at",
    "thread__author_id": "thread_author_id",
    "thread__is_unlisted": "thread_is_unlisted",
}


def _thread_attributes(thread: dict) -> dict:
    """What a post's document copies from its thread (a `values()` row of THREAD_FIELDS)."""
    return {
        "space_id": thread["space_id"],
        "topic_id": thread["topic_id"],
        "thread_id": thread["pk"],
        "thread_author_id": thread["author_id"],
        "thread_status": thread["status"],
        "thread_deleted_at": thread["deleted_at"],
        "thread_is_unlisted": thread["is_unlisted"],
        "thread_is_closed": thread["is_closed"],
        "thread_is_archived": thread["is_archived"],
        "thread_is_solved": thread["accepted_answer_id"] is not None,
        "audience": permissions.post_audience(thread["space__visibility"]),
    }


THREAD_FIELDS = (
    "pk",
    "space_id",
    "topic_id",
    "author_id",
    "status",
    "deleted_at",
    "is_unlisted",
    "is_closed",
    "is_archived",
    "accepted_answer_id",
    "space__visibility",
)


def _among(column: str, ids: list[int]) -> Q:
    """`column IN ids` for a long list: on PostgreSQL as one array parameter (`= ANY`), which
    costs the same to send and plan as a short one, where thousands of placeholders took
    tens of milliseconds of Python to build and convert (docs/bench-national.md)."""
    if connection.vendor != "postgresql":
        return Q(**{f"{column}__in": ids})
    quoted = connection.ops.quote_name
    sql = f"{quoted(Document._meta.db_table)}.{quoted(column)} = ANY(%s::bigint[])"
    return Q(RawSQL(sql, (ids,), output_field=BooleanField()))


def _build_hit_posts(rule: tuple, *, user_id: int, ids: int | str):
    """A page of hits' posts, by the forum's listable-posts rule for this form of viewer."""
    findable = Post.objects.filter(
        pk_among(Post, ids), deleted_at__isnull=True, thread__deleted_at__isnull=True
    )
    return permissions.listable_posts_by_rule(rule, user_id, findable).select_related(
        "author", "thread__space", "thread__topic"
    )


# Compiled once per process and viewer rule (community/compiled.py): building this query
# through the ORM for each search was a third of a search's Python (docs/bench-national.md).
_hit_posts = CompiledQuery(_build_hit_posts, "user_id", "ids")


class ForumPostProvider:
    kind = "post"
    reindex_on = dict.fromkeys(POST_EVENTS, "post_id")
    # A post's document carries the time it was written, which before:/after: test and
    # which never changes: the backend may filter documents by it directly.
    indexed_date_is_filter_date = True

    def candidates(self, viewer, query: ParsedQuery) -> Q:
        """The viewer's findable posts as a filter on their documents' copied columns: the
        forum's listable-posts rule in its column form, then the query's filters, all on
        search_document, so the search never joins posts, threads or spaces per candidate."""
        nothing = Q(pk__in=[])
        # Search never lists deleted posts or posts of deleted threads, even to moderators.
        q = Q(deleted_at__isnull=True, thread_deleted_at__isnull=True)
        q &= permissions.listable_posts_by_columns(viewer, DOCUMENT_COLUMNS)
        signed_in = bool(viewer and viewer.is_authenticated)
        if query.username:
            # Searching by author goes through who may be found: a child is not, for adults.
            # Resolved first, so the plan starts from that member's documents (author index).
            author_ids = list(
                member_permissions.visible_members(viewer)
                .filter(username__iexact=query.username)
                .order_by()  # by the upper-case index, not a walk in username order
                .values_list("pk", flat=True)[:1]
            )
            if not author_ids:
                return nothing
            q &= Q(author_id=author_ids[0])
        if query.category:
            space = permissions.visible_spaces(viewer).filter(slug=query.category).first()
            if space is not None:
                q &= Q(space_id=space.pk)
            else:
                topic_id = query.named(Topic)
                if topic_id is None:
                    return nothing
                q &= Q(topic_id=topic_id)
        for tag in query.tags:
            # The tagged threads as a list of ids (a few thousand), read first: PostgreSQL
            # checks a long list against each candidate by hashing it, where a subquery was
            # planned as one tag lookup per candidate. Whether each thread may be read is the
            # documents' rule's business, as for any other filter.
            tagged = list(Thread.objects.filter(tags__slug=tag).values_list("pk", flat=True))
            if not tagged:
                return nothing
            q &= _among("thread_id", tagged)
        if query.in_bookmarks:
            if not signed_in:
                return nothing
            q &= Q(object_id__in=Bookmark.objects.filter(user=viewer).values("post_id"))
        if query.in_mine:
            if not signed_in:
                return nothing
            q &= Q(author_id=viewer.pk)
        if query.status == "open":
            q &= Q(thread_is_closed=False, thread_is_archived=False)
        elif query.status == "closed":
            q &= Q(thread_is_closed=True)
        elif query.status == "archived":
            q &= Q(thread_is_archived=True)
        elif query.status == "solved":
            q &= Q(thread_is_solved=True)
        elif query.status == "unsolved":
            # As Discourse's Solved: threads where an answer could be chosen and none has been.
            # The space's setting is read afresh (a small table), like its visibility.
            answerable = Space.objects.filter(accepted_answers=True).values("pk")
            q &= Q(space_id__in=answerable, thread_is_solved=False)
        if query.before:
            q &= Q(created_at__lt=_day_start(query.before))
        if query.after:
            q &= Q(created_at__gte=_day_start(query.after))
        return q

    # A space opened to everyone or closed changes what each of its posts' documents records
    # of it (its audience): written for the whole space at once.
    copies_columns_on = ("space.visibility_changed",)

    def copied_columns_after(self, event: dict) -> list[tuple[Q, dict]]:
        """The space's posts' documents and their audience now (read afresh from the space,
        not from the event, which a later change may have overtaken)."""
        space_id = event.get("space_id")
        visibility = Space.objects.filter(pk=space_id).values_list("visibility", flat=True)
        visibility = visibility.first()
        if not space_id or visibility is None:
            return []
        return [(Q(space_id=space_id), {"audience": permissions.post_audience(visibility)})]

    def groups_to_refresh(self, event: dict) -> list[int]:
        """The threads whose documents an event changes (see THREAD_EVENTS)."""
        event_type = event.get("type")
        if event_type == "thread.status" and event.get("status") not in COPIED_THREAD_FLAGS:
            return []  # pinning changes nothing a document copies
        if event_type in THREAD_EVENTS:
            keys = ("thread_id", "new_thread_id")
        elif event_type in FIRST_POST_EVENTS and event.get("number") == 1:
            keys = ("thread_id",)
        else:
            return []
        return [event[key] for key in keys if event.get(key)]

    def refresh_groups(self, thread_ids: list[int]) -> Iterable[tuple[list[int], dict]]:
        """For each thread now holding a post of these threads (or a post whose document
        still says it is in one of them: merged or split away), its posts and what their
        documents copy from it."""
        post_ids = set(
            Post.objects.filter(thread_id__in=thread_ids, kind=Post.Kind.POST).values_list(
                "pk", flat=True
            )
        ) | set(
            Document.objects.filter(kind=self.kind, thread_id__in=thread_ids).values_list(
                "object_id", flat=True
            )
        )
        by_thread: dict[int, list[int]] = {}
        for pk, thread_id in Post.objects.filter(pk__in=post_ids).values_list("pk", "thread_id"):
            by_thread.setdefault(thread_id, []).append(pk)
        for thread in Thread.objects.filter(pk__in=list(by_thread)).values(*THREAD_FIELDS):
            yield by_thread[thread["pk"]], _thread_attributes(thread)

    def load(self, viewer, ids: Iterable[int]) -> dict[int, Hit]:
        # Checked against the posts themselves, not only their documents' copy: a post hidden
        # or moved a moment ago, before the worker refreshed its document, is left out.
        ids = [int(pk) for pk in ids]
        if not ids:
            return {}
        signed_in = bool(viewer and viewer.is_authenticated)
        posts = _hit_posts(
            permissions.thread_rule(viewer),
            user_id=viewer.pk if signed_in else 0,
            ids=",".join(map(str, ids)),
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
        thread_fields = [f"thread__{name}" for name in THREAD_FIELDS]
        rows = qs.values(
            "pk", "number", "thread__title", "text", "created_at", "status", "deleted_at",
            "author_id", *thread_fields,
        )  # fmt: skip
        for row in rows.iterator(chunk_size=2000):
            thread = {name: row[f"thread__{name}"] for name in THREAD_FIELDS}
            yield IndexEntry(
                object_id=row["pk"],
                title=row["thread__title"] if row["number"] == 1 else "",
                body=row["text"],
                created_at=row["created_at"],
                attributes={
                    "author_id": row["author_id"],
                    "status": row["status"],
                    "deleted_at": row["deleted_at"],
                    **_thread_attributes(thread),
                },
            )
