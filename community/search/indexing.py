"""Keep the index in step with what it indexes: on events after commit, or all at once."""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import registry
from .backends import clean_text
from .models import ATTRIBUTES, Document

BATCH = 2000


def _attributes(entry: registry.IndexEntry) -> dict:
    unknown = set(entry.attributes) - set(ATTRIBUTES)
    if unknown:
        raise ValueError(f"Not a document column: {sorted(unknown)}")
    return dict(entry.attributes)


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
                **_attributes(entry),
            },
        )


def refresh(kind: str, group_ids: Iterable[int]) -> int:
    """Copy the attributes of every object in these groups (a forum thread's posts) to their
    documents again, without rewriting their text; return how many documents were updated.

    For changes to a whole group at once (a thread hidden, moved, closed or merged), where
    re-indexing each object's text would be wasted work. The kind's provider says what a
    group is and which events change one (`refresh_groups`, `groups_to_refresh`)."""
    provider = registry.get(kind)
    count = 0
    with transaction.atomic():
        for object_ids, attributes in provider.refresh_groups(list(group_ids)):
            unknown = set(attributes) - set(ATTRIBUTES)
            if unknown:
                raise ValueError(f"Not a document column: {sorted(unknown)}")
            count += Document.objects.filter(kind=kind, object_id__in=object_ids).update(
                **attributes
            )
    return count


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
                    **_attributes(entry),
                )
            )
            if len(batch) >= BATCH:
                Document.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        Document.objects.bulk_create(batch)
        count += len(batch)
    return count


def _groups(provider, event: dict) -> list[int]:
    """The groups an event asks this provider to refresh (none for most kinds)."""
    groups_to_refresh = getattr(provider, "groups_to_refresh", None)
    return groups_to_refresh(event) if groups_to_refresh else []


def _copied_columns(provider, event: dict) -> list[tuple[Q, dict]]:
    """What an event changes in many of this provider's documents at once, as (which
    documents, their copied columns' new values): a forum space opened to everyone or closed
    changes the audience of every post in it (none for most kinds and events)."""
    copied_columns_after = getattr(provider, "copied_columns_after", None)
    return copied_columns_after(event) if copied_columns_after else []


def update_copies(kind: str, event: dict) -> int:
    """Write what an event changes in many documents of this kind; return how many changed."""
    count = 0
    with transaction.atomic():
        for documents, attributes in _copied_columns(registry.get(kind), event):
            unknown = set(attributes) - set(ATTRIBUTES)
            if unknown:
                raise ValueError(f"Not a document column: {sorted(unknown)}")
            # Only the documents whose copy differs are written (a space's 300,000 posts
            # otherwise rewritten for nothing).
            differs = reduce(or_, (~Q(**{name: value}) for name, value in attributes.items()))
            count += Document.objects.filter(documents, differs, kind=kind).update(**attributes)
    return count


def wants(event: dict) -> bool:
    """Whether an event changes what the index holds (decided in the request, cheaply)."""
    event_type = event.get("type")
    if event_type == "thread.edited":
        return bool(event.get("thread_id"))
    return any(
        ((key := getattr(provider, "reindex_on", {}).get(event_type)) and event.get(key))
        or _groups(provider, event)
        or event_type in getattr(provider, "copies_columns_on", ())
        for provider in registry.providers().values()
    )


def on_event(event: dict) -> None:
    """Re-index what an event changed (run by the task worker after the change commits; the
    same task twice writes the same documents)."""
    event_type = event.get("type")
    for kind, provider in registry.providers().items():
        key = getattr(provider, "reindex_on", {}).get(event_type)
        if key and event.get(key):
            index(kind, [event[key]])
        groups = _groups(provider, event)
        if groups:
            refresh(kind, groups)
        if event_type in getattr(provider, "copies_columns_on", ()):
            update_copies(kind, event)
    if event_type == "thread.edited" and event.get("thread_id"):
        # A thread's title is indexed with its first post.
        from community.forum.models import Post

        first = Post.objects.filter(thread_id=event["thread_id"], number=1).values_list(
            "pk", flat=True
        )
        index("post", list(first))
