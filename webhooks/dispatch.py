"""Turn committed domain events into webhook deliveries, and send them from a task."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from . import delivery, payloads
from .models import Delivery, Webhook

logger = logging.getLogger(__name__)


def wants(event: dict) -> bool:
    return event.get("type") in payloads.HEARD_TYPES


def on_event(event: dict) -> None:
    """Record a delivery for every active webhook that hears this event, and send each (run by
    the task worker after the change commits)."""
    if not wants(event):
        return
    hooks = Webhook.objects.filter(is_active=True).select_related("owner")
    created = []
    # Due again in a minute, so a delivery whose task never ran is picked up by the retry job.
    soon = timezone.now() + timedelta(minutes=1)
    for webhook in hooks:
        for name, group, payload in payloads.build(event, webhook):
            created.append(
                Delivery(
                    webhook=webhook,
                    event_name=name,
                    event_type=group,
                    payload=json.dumps(payload, separators=(",", ":"), sort_keys=True),
                    next_attempt_at=soon,
                )
            )
    if not created:
        return
    with transaction.atomic():
        for item in created:
            item.save()
    for item in created:
        send_delivery.enqueue(item.pk)


@task
def send_delivery(delivery_id: int) -> str:
    """Send one delivery (a task, so the worker does it off the request)."""
    return delivery.attempt(delivery_id)


@task
def retry_due_deliveries() -> int:
    """Send again every delivery whose retry time has come (a scheduled job, every minute)."""
    return delivery.retry_due()
