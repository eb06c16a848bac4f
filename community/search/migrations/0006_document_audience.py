"""Who may find a document (models.py says why): a column, filled here for the posts whose
space is open to everyone (the library's and training's own migrations fill it for theirs),
and the index a visitor's search walks."""

import importlib

from django.db import migrations, models

# Adding a column with a default copies the table on SQLite, which drops the FTS5 triggers.
restore_fts_triggers = importlib.import_module(
    "community.search.migrations.0005_document_visibility_columns"
).restore_fts_triggers

# As indexing writes it (forum.permissions.post_audience), from the space each document
# copies; run once per existing index, then the index's event handlers keep it in step.
BACKFILL = """
UPDATE search_document SET audience = 'everyone'
WHERE kind = 'post' AND space_id IN (SELECT id FROM forum_space WHERE visibility = 'public')
"""


def backfill(apps, schema_editor):
    schema_editor.execute(BACKFILL)


class Migration(migrations.Migration):
    dependencies = [("search", "0005_document_visibility_columns")]

    operations = [
        migrations.AddField(
            model_name="document",
            name="audience",
            field=models.CharField(blank=True, db_default="", default="", max_length=10),
        ),
        migrations.RunPython(restore_fts_triggers, migrations.RunPython.noop),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(
                condition=models.Q(("audience", "everyone"), ("kind", "post")),
                fields=["-created_at"],
                name="search_document_everyone",
            ),
        ),
    ]
