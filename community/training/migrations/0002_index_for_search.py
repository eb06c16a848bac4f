"""Index the events that existed before site search found them (later ones are indexed on
their events)."""

from django.db import migrations


def _clean(text):
    return (text or "").replace("\x02", " ").replace("\x03", " ")


def index_events(apps, schema_editor):
    Event = apps.get_model("training", "Event")
    Document = apps.get_model("search", "Document")
    batch = []
    for event in Event.objects.iterator(chunk_size=500):
        parts = [event.description_text, event.hosts]
        if event.status == "cancelled":
            parts.insert(0, f"Cancelled: {event.cancellation_reason}")
        batch.append(
            Document(
                kind="event",
                object_id=event.pk,
                title=_clean(event.title)[:300],
                body=_clean("\n\n".join(p for p in parts if p)),
                created_at=event.created_at,
            )
        )
    Document.objects.bulk_create(batch, batch_size=500)


def remove_events(apps, schema_editor):
    apps.get_model("search", "Document").objects.filter(kind="event").delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial"), ("search", "0003_index_existing_posts")]

    operations = [migrations.RunPython(index_events, remove_events)]
