"""What an import brought across, so running it again changes nothing."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ImportedObject(models.Model):
    """One object of a source site (a category, member, topic or like) and its copy here."""

    class Kind(models.TextChoices):
        CATEGORY = "category"
        USER = "user"
        TOPIC = "topic"
        POST = "post"
        LIKE = "like"

    source = models.CharField(max_length=300, help_text="The source site's address.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source_id = models.CharField(max_length=200)
    local_id = models.BigIntegerField()
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="unique_imported_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.source_id} → {self.local_id}"
