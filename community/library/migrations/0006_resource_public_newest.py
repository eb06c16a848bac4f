"""An index for the library page's list and count: published, not archived, newest first
(`permissions.public_resources`). Its "not archived" cannot use resource_state_newest, so
PostgreSQL read every resource and every current version for each page of the list."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0005_search_document_audience"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="resource",
            index=models.Index(
                condition=models.Q(("current_version__isnull", False))
                & ~models.Q(state="archived"),
                fields=["-published_at", "-id"],
                name="resource_public_newest",
            ),
        ),
    ]
