"""Copy each event's audience onto its search document, as indexing it does
(`TrainingEventProvider.entries`, `permissions.event_audience`): run once for the index that
exists; afterwards the index's event handlers keep the copy in step."""

from django.db import migrations

# One statement for both databases (SQLite has UPDATE ... FROM since 3.33).
BACKFILL = """
UPDATE search_document SET
    audience = CASE WHEN e.region_id IS NULL THEN 'national' ELSE 'regional' END
FROM training_event e
WHERE search_document.kind = 'event' AND e.id = search_document.object_id
"""


def backfill(apps, schema_editor):
    schema_editor.execute(BACKFILL)
    if schema_editor.connection.vendor == "postgresql":
        # The old row versions out of the way (too few for autovacuum to come soon, and the
        # text index still points at them: a common word's search read them all, four times
        # slower), and the new column's statistics for the planner. Outside a transaction.
        schema_editor.execute("VACUUM (INDEX_CLEANUP ON, ANALYZE) search_document")


class Migration(migrations.Migration):
    atomic = False  # VACUUM cannot run inside a transaction
    dependencies = [
        ("training", "0003_material_library_resource"),
        ("search", "0006_document_audience"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
