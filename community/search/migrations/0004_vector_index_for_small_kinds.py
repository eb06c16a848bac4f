"""A GIN index over the documents of every kind but forum posts (library resources, events).

A resource search must not read the million posts' entries of the main index to find a few
thousand resources, nor check every resource's vector one by one (docs/bench-national.md).
"""

from django.db import migrations

FORWARD = (
    "CREATE INDEX IF NOT EXISTS search_document_vector_not_posts ON search_document"
    " USING GIN (vector) WHERE kind <> 'post'"
)
BACKWARD = "DROP INDEX IF EXISTS search_document_vector_not_posts"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_index_existing_posts")]

    operations = [migrations.RunPython(forward, backward)]
