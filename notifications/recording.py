"""Writing notifications: the registry of event handlers and the bulk write they share."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

from .models import Notification
from .selectors import forget_unread_counts

Handler = Callable[[dict], None]
_HANDLERS: dict[str, list[Handler]] = {}


def handles(*event_types: str) -> Callable[[Handler], Handler]:
    """Register a function to run, inside the publishing transaction, for these event types."""

    def register(handler: Handler) -> Handler:
        for event_type in event_types:
            if handler not in _HANDLERS.setdefault(event_type, []):
                _HANDLERS[event_type].append(handler)
        return handler

    return register


def record(event: dict) -> None:
    """Run every handler of the event (in the fan-out task)."""
    for handler in _HANDLERS.get(event.get("type"), []):
        handler(event)


def handled_types() -> set[str]:
    return set(_HANDLERS)


def notify(
    user_ids: Iterable[int],
    kind: str,
    *,
    data: dict,
    actor_id: int | None = None,
    thread_id: int | None = None,
    post_id: int | None = None,
    per_user_kind: dict[int, str] | None = None,
) -> list[int]:
    """Write one notification per member in one bulk insert, and push them after commit.

    The caller has already kept only members who may see what the notification points at
    (the visibility rule of its part of the domain). `data` carries the text's values and,
    for kinds that are not about a post, the `url` to open.
    """
    per_user_kind = per_user_kind or {}
    rows = [
        Notification(
            user_id=uid,
            kind=per_user_kind.get(uid, kind),
            actor_id=actor_id,
            thread_id=thread_id,
            post_id=post_id,
            data=data,
        )
        for uid in dict.fromkeys(user_ids)
        if uid != actor_id
    ]
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    forget_unread_counts(n.user_id for n in created)  # bulk_create sends no post_save
    ids = [n.pk for n in created]
    from . import push

    transaction.on_commit(lambda: push.deliver(ids), robust=True)
    return ids
