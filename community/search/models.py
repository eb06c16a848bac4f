"""The search index: one document per searchable thing, whatever its kind.

The text lives here. On PostgreSQL a generated `vector` column with a GIN index is added by
migration 0002; on SQLite an FTS5 table mirrors this one.

A forum post's document also carries a copy of what its visibility rule and the search
filters test (its thread, space, topic, author and statuses), so a search filters by who
may read each match on this table alone instead of joining posts, threads and spaces for
every candidate (docs/bench-national.md). The rule over these columns is the forum's own
(`permissions.listable_posts_by_columns`); the copy is kept in step by the index's event
handlers, and the hits of a page are checked against the posts themselves before they are
shown, so a copy a moment behind can only drop a result, never show one that must not be.

A post's document also records whether its space is open to everyone (`audience`), so a
visitor's search is one indexed condition. Library resources and training events carry
their own rule's copy the same way: who may find them (`audience`, in the words of the
kind's permissions module) and, for a resource, its owner (`author_id`), written from
that module (`library.permissions.resource_audience`, `training.permissions.event_audience`)
and tested by its column form of the rule. Their hits are checked against the objects
themselves too. Columns a kind does not copy stay empty.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from community.forum.permissions import EVERYONE

# The columns copied from a post and its thread (IndexEntry.attributes may set these only;
# resources and events set `audience` and a resource `author_id`, its owner).
ATTRIBUTES = (
    "space_id",
    "topic_id",
    "thread_id",
    "author_id",
    "status",
    "deleted_at",
    "thread_author_id",
    "thread_status",
    "thread_deleted_at",
    "thread_is_unlisted",
    "thread_is_closed",
    "thread_is_archived",
    "thread_is_solved",
    "audience",
)


class Document(models.Model):
    kind = models.CharField(max_length=30)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    indexed_at = models.DateTimeField(default=timezone.now)
    # Copied from the post and its thread (posts only; see the module's docstring). Plain
    # ids, not foreign keys: the index is rebuilt from its sources, never the other way.
    space_id = models.BigIntegerField(null=True, blank=True)
    topic_id = models.BigIntegerField(null=True, blank=True)
    thread_id = models.BigIntegerField(null=True, blank=True)
    author_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, blank=True, default="")
    deleted_at = models.DateTimeField(null=True, blank=True)
    thread_author_id = models.BigIntegerField(null=True, blank=True)
    thread_status = models.CharField(max_length=10, blank=True, default="")
    thread_deleted_at = models.DateTimeField(null=True, blank=True)
    thread_is_unlisted = models.BooleanField(default=False)
    thread_is_closed = models.BooleanField(default=False)
    thread_is_archived = models.BooleanField(default=False)
    thread_is_solved = models.BooleanField(default=False)
    # Who may find it, as its kind's permissions module names it (see the module's docstring):
    # for a post, whether its space is open to everyone (forum.permissions.post_audience).
    # A database default too, so code from before this column can still write documents.
    audience = models.CharField(max_length=10, blank=True, default="", db_default="")

    class Meta:
        db_table = "search_document"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_document")
        ]
        indexes = [
            models.Index(fields=["kind", "-created_at"], name="search_document_latest"),
            # `#space`, `@user` and `tags:` (threads) narrow to a few thousand posts: each
            # walks its own index newest first, and re-copying a thread finds its posts.
            models.Index(
                fields=["space_id", "-created_at"],
                name="search_document_space",
                condition=models.Q(kind="post"),
            ),
            models.Index(
                fields=["author_id", "-created_at"],
                name="search_document_author",
                condition=models.Q(kind="post"),
            ),
            models.Index(
                fields=["thread_id"], name="search_document_thread", condition=models.Q(kind="post")
            ),
            # `status:solved` keeps 2 % of posts: without its own index a common word's
            # matches were each read to find the few in solved threads.
            models.Index(
                fields=["-created_at"],
                name="search_document_solved",
                condition=models.Q(kind="post", thread_is_solved=True),
            ),
            # A visitor's common word walks the posts open to everyone newest first, not every
            # post to find that third (forum.permissions.listable_posts_by_columns).
            models.Index(
                fields=["-created_at"],
                name="search_document_everyone",
                condition=models.Q(kind="post", audience=EVERYONE),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"
