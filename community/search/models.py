"""The search index: one document per searchable thing, whatever its kind.

The text lives here; who may see a document is decided at query time by the kind's
provider through its app's visibility rule. On PostgreSQL a generated `vector` column
with a GIN index is added by migration 0002; on SQLite an FTS5 table mirrors this one.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Document(models.Model):
    kind = models.CharField(max_length=30)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "search_document"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_document")
        ]
        indexes = [models.Index(fields=["kind", "-created_at"], name="search_document_latest")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"
