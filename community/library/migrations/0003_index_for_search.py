"""Index the resources that existed before site search found them (later ones are indexed
on their events). What readers see is indexed: the current version, else the working copy."""

import re
from html import unescape

from django.db import migrations

TAG = re.compile(r"<[^>]*>")


def _clean(text):
    return (text or "").replace("\x02", " ").replace("\x03", " ")


def index_resources(apps, schema_editor):
    Resource = apps.get_model("library", "Resource")
    Document = apps.get_model("search", "Document")
    batch = []
    for resource in Resource.objects.select_related("current_version").iterator(chunk_size=500):
        shown = resource.current_version or resource
        text = " ".join(unescape(TAG.sub(" ", shown.html or "")).split())
        batch.append(
            Document(
                kind="resource",
                object_id=resource.pk,
                title=_clean(shown.title)[:300],
                body=_clean(f"{shown.summary}\n\n{text}"),
                created_at=resource.published_at or resource.created_at,
            )
        )
    Document.objects.bulk_create(batch, batch_size=500)


def remove_resources(apps, schema_editor):
    apps.get_model("search", "Document").objects.filter(kind="resource").delete()


class Migration(migrations.Migration):
    dependencies = [("library", "0002_load_taxonomy"), ("search", "0003_index_existing_posts")]

    operations = [migrations.RunPython(index_resources, remove_resources)]
