"""The network's append-only logs (moderation, the library, SupportLine) share one shape.

`AuditEntry` is the abstract model each log inherits: who acted, when, and a guard that
refuses to change or delete a row once written (a log is evidence). Each log keeps its
own columns for what it records, and says what an entry means through `as_record()`;
`read_trail()` is the one way to read any of them, as `AuditRecord`s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


@dataclass(frozen=True)
class AuditRecord:
    """One entry of any log, read the same way: who did what, when, why, from what to what."""

    log: str
    when: datetime
    actor: object | None
    action: str
    reason: str = ""
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)


class AuditEntry(models.Model):
    """An append-only log row: written once, in the transaction of the change it records."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError(f"{self._meta.verbose_name} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self._meta.verbose_name} rows are append-only.")

    def as_record(self) -> AuditRecord:
        """What every log shares; each log overrides this to say what its own columns mean."""
        return AuditRecord(
            log=self._meta.app_label, when=self.created_at, actor=self.actor, action=str(self)
        )


def read_trail(entries: Iterable[AuditEntry]) -> list[AuditRecord]:
    """Entries of any log as records; pass a queryset with `select_related("actor")`."""
    return [entry.as_record() for entry in entries]
