"""The fan-out task: who is told about an event, written in the worker, not the request."""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.tasks import task

from . import recording

logger = logging.getLogger(__name__)


@task(priority=50)
def fan_out(event: dict) -> bool:
    """Resolve who is told about `event` (levels, mutes, the visibility rule) and write their
    notifications in bulk; they are pushed once this commits.

    Enqueued in the transaction of the change (the task row commits or rolls back with it);
    all of an event's rows commit together, so a retry never writes half of them twice. With
    the immediate backend (embedded default, tests) it runs inside the change's transaction.
    """
    try:
        with transaction.atomic():
            recording.record(event)
    except ObjectDoesNotExist:
        # What the event is about was deleted before the worker got to it: nobody to tell.
        logger.info("fan-out of %s skipped: its object is gone", event.get("type"))
        return False
    return True


def wants_fan_out(event: dict) -> bool:
    """Whether someone handles the event, so its fan-out is queued with it."""
    return event.get("type") in recording.handled_types()
