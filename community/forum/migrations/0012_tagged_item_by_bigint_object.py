"""An index for django-taggit's rows by the thread they tag, in the form the ORM asks for.

taggit keeps `object_id` as an integer; threads have bigint ids, so every join from a
thread to its tags compares `object_id::bigint`, which no plain index on `object_id`
serves. Without this index a search with tags: looked through every thread of the tag
for each post it checked: 15 s at national size (docs/bench-national.md).
"""

from django.db import migrations

FORWARD = (
    "CREATE INDEX IF NOT EXISTS forum_tagged_item_object_bigint"
    " ON taggit_taggeditem (((object_id)::bigint), tag_id)"
)
BACKWARD = "DROP INDEX IF EXISTS forum_tagged_item_object_bigint"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0011_thread_last_poster"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(forward, backward)]
