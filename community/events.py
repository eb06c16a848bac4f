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


def subscribe(subscriber: Subscriber) -> Subscriber:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def publish_on_commit(event: dict) -> None:
    """Deliver the event to every subscriber once the current transaction commits."""
    # Round-trip through JSON now, so an unserialisable payload fails in the action's tests.
    payload = json.loads(json.dumps(event))
    transaction.on_commit(lambda: _deliver(payload), robust=True)


def _deliver(event: dict) -> None:
    for subscriber in list(_subscribers):
        try:
            subscriber(event)
        except Exception:  # one failing subscriber must not stop the others
            logger.exception("event subscriber %r failed on %s", subscriber, event.get("type"))
