"""Index the posts that existed before search did (new ones are indexed on their events)."""

from django.db import migrations


def index_posts(apps, schema_editor):
    Post = apps.get_model("forum", "Post")
    Document = apps.get_model("search", "Document")
    rows = Post.objects.filter(kind="post").values_list(
        "pk", "number", "thread__title", "text", "created_at"
    )
    batch = []
    for pk, number, title, text, created_at in rows.iterator(chunk_size=2000):
        clean = (text or "").replace("\x02", " ").replace("\x03", " ")
        batch.append(
            Document(
                kind="post",
                object_id=pk,
                title=(title if number == 1 else "")[:300],
                body=clean,
                created_at=created_at,
            )
        )
        if len(batch) >= 2000:
            Document.objects.bulk_create(batch)
            batch = []
    Document.objects.bulk_create(batch)


def remove_posts(apps, schema_editor):
    apps.get_model("search", "Document").objects.filter(kind="post").delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text"), ("forum", "0003_thread_tools")]

    operations = [migrations.RunPython(index_posts, remove_posts)]
