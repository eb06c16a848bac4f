"""Keep the index in step with what it indexes: on events after commit, or all at once."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from . import registry
from .backends import clean_text
from .models import Document

BATCH = 2000


@transaction.atomic
def index(kind: str, ids: Iterable[int]) -> None:
    """Write (or remove) the documents of these objects."""
    ids = list(ids)
    entries = {e.object_id: e for e in registry.get(kind).entries(ids)}
    Document.objects.filter(kind=kind, object_id__in=set(ids) - set(entries)).delete()
    now = timezone.now()
    for entry in entries.values():
        Document.objects.update_or_create(
            kind=kind,
            object_id=entry.object_id,
            defaults={
                "title": clean_text(entry.title)[:300],
                "body": clean_text(entry.body),
                "created_at": entry.created_at,
                "indexed_at": now,
            },
        )


def rebuild(kind: str) -> int:
    """Index every object of this kind afresh; return how many documents were written."""
    now = timezone.now()
    count = 0
    with transaction.atomic():
        Document.objects.filter(kind=kind).delete()
        batch: list[Document] = []
        for entry in registry.get(kind).entries(None):
            batch.append(
                Document(
                    kind=kind,
                    object_id=entry.object_id,
                    title=clean_text(entry.title)[:300],
                    body=clean_text(entry.body),
                    created_at=entry.created_at,
                    indexed_at=now,
                )
            )
            if len(batch) >= BATCH:
                Document.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        Document.objects.bulk_create(batch)
        count += len(batch)
    return count


def wants(event: dict) -> bool:
    """Whether an event changes what the index holds (decided in the request, cheaply)."""
    event_type = event.get("type")
    if event_type == "thread.edited":
        return bool(event.get("thread_id"))
    return any(
        event.get(key)
        for provider in registry.providers().values()
        if (key := getattr(provider, "reindex_on", {}).get(event_type))
    )


def on_event(event: dict) -> None:
    """Re-index what an event changed (run by the task worker after the change commits; the
    same task twice writes the same documents)."""
    event_type = event.get("type")
    for kind, provider in registry.providers().items():
        key = getattr(provider, "reindex_on", {}).get(event_type)
        if key and event.get(key):
            index(kind, [event[key]])
    if event_type == "thread.edited" and event.get("thread_id"):
        # A thread's title is indexed with its first post.
        from community.forum.models import Post

        first = Post.objects.filter(thread_id=event["thread_id"], number=1).values_list(
            "pk", flat=True
        )
        index("post", list(first))
