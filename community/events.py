"""Publish what happened, after the transaction that made it commits.

The domain describes events as small JSON dicts with a `type`; subscribers
(notifications, the page cache, the realtime layer) register here, so the domain
never imports the outer rings.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

Subscriber = Callable[[dict], None]
_subscribers: list[Subscriber] = []
_recorders: list[Subscriber] = []


def subscribe(subscriber: Subscriber, *, first: bool = False) -> Subscriber:
    """Call `subscriber(event)` after the transaction that published the event commits;
    `first` puts it ahead of the others (what people are waiting to see, before housekeeping)."""
    if subscriber not in _subscribers:
        if first:
            _subscribers.insert(0, subscriber)
        else:
            _subscribers.append(subscriber)
    return subscriber


def record_with(recorder: Subscriber) -> Subscriber:
    """Call `recorder(event)` inside the publishing transaction, so its rows commit or roll back
    with the change that caused them (notifications are written this way)."""
    if recorder not in _recorders:
        _recorders.append(recorder)
    return recorder


def publish_on_commit(event: dict) -> None:
    """Record the event in the current transaction, and deliver it once that commits."""
    # Round-trip through JSON now, so an unserialisable payload fails in the action's tests.
    payload = json.loads(json.dumps(event))
    for recorder in list(_recorders):
        recorder(payload)
    transaction.on_commit(lambda: _deliver(payload), robust=True)


def _deliver(event: dict) -> None:
    for subscriber in list(_subscribers):
        try:
            subscriber(event)
        except Exception:  # one failing subscriber must not stop the others
            logger.exception("event subscriber %r failed on %s", subscriber, event.get("type"))
