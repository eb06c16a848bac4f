"""Copy each post's visibility and filter fields onto its search document (models.py says
why), fill them for the documents that exist, and index the filters search starts from."""

import importlib

from django.db import migrations, models

# One statement for both databases (SQLite has UPDATE ... FROM since 3.33). Run once per
# existing index; afterwards the index's event handlers keep the copy in step.
BACKFILL = """
UPDATE search_document SET
    space_id = t.space_id,
    topic_id = t.topic_id,
    thread_id = p.thread_id,
    author_id = p.author_id,
    status = p.status,
    deleted_at = p.deleted_at,
    thread_author_id = t.author_id,
    thread_status = t.status,
    thread_deleted_at = t.deleted_at,
    thread_is_unlisted = t.is_unlisted,
    thread_is_closed = t.is_closed,
    thread_is_archived = t.is_archived,
    thread_is_solved = (t.accepted_answer_id IS NOT NULL)
FROM forum_post p JOIN forum_thread t ON t.id = p.thread_id
WHERE search_document.kind = 'post' AND p.id = search_document.object_id
"""


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Enough memory for the join's hash of posts at national size.
        schema_editor.execute("SET LOCAL work_mem = '256MB'")
    schema_editor.execute(BACKFILL)
    if schema_editor.connection.vendor == "postgresql":
        # The planner needs the new columns' statistics before the first search uses them
        # (autovacuum would gather them, later; the dead row versions it also clears).
        schema_editor.execute("ANALYZE search_document")


def restore_fts_triggers(apps, schema_editor):
    """On SQLite, adding a column with a default copies the table into a new one, which drops
    the triggers that keep the FTS5 table in step: create them again (the rows keep their ids,
    so the FTS5 table still points at the right ones)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    full_text = importlib.import_module("community.search.migrations.0002_full_text")
    for statement in full_text.SQLITE_FORWARD:
        if statement.startswith("CREATE TRIGGER"):
            schema_editor.execute(
                statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_vector_index_for_small_kinds"),
        ("forum", "0013_thread_merged_into"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="author_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="document",
            name="deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="document",
            name="space_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="document",
            name="status",
            field=models.CharField(blank=True, default="", max_length=10),
        ),
        migrations.AddField(
            model_name="document",
            name="thread_author_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="document",
            name="thread_deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="document",
            name="thread_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="document",
            name="thread_is_archived",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="document",
            name="thread_is_closed",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="document",
            name="thread_is_solved",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="document",
            name="thread_is_unlisted",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="document",
            name="thread_status",
            field=models.CharField(blank=True, default="", max_length=10),
        ),
        migrations.AddField(
            model_name="document",
            name="topic_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(restore_fts_triggers, migrations.RunPython.noop),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(
                condition=models.Q(("kind", "post")),
                fields=["space_id", "-created_at"],
                name="search_document_space",
            ),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(
                condition=models.Q(("kind", "post")),
                fields=["author_id", "-created_at"],
                name="search_document_author",
            ),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(
                condition=models.Q(("kind", "post")),
                fields=["thread_id"],
                name="search_document_thread",
            ),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(
                condition=models.Q(("kind", "post"), ("thread_is_solved", True)),
                fields=["-created_at"],
                name="search_document_solved",
            ),
        ),
    ]
