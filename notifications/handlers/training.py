"""Who is told what about training events and proposals.

Every training notification is also emailed (they are about an event the member signed
up for or asked for), unless the member has turned email off.
"""

from __future__ import annotations

from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from community.siteaddress import site_url
from community.training import permissions
from community.training.models import LONDON, Event

from .. import kinds
from ..recording import handles, notify


def _event_data(event: Event, **extra) -> dict:
    return {
        "title": event.title,
        "when": event.starts_local.strftime("%A %-d %B %Y, %H:%M"),
        "url": reverse("training:event", args=[event.pk]),
        **extra,
    }


def _allowed(event: Event, user_ids) -> list[int]:
    """Keep only members who may still see the event."""
    return list(
        permissions.viewers_of_event(event)
        .filter(pk__in=list(user_ids))
        .values_list("pk", flat=True)
    )


def _tell(event: Event, user_ids, kind: str, *, actor_id: int | None = None, **extra) -> list[int]:
    ids = notify(
        _allowed(event, user_ids), kind, data=_event_data(event, **extra), actor_id=actor_id
    )
    if ids:
        transaction.on_commit(lambda: [send_training_email.enqueue(i) for i in ids], robust=True)
    return ids


def _event(event_id: int) -> Event:
    return Event.objects.get(pk=event_id)


@handles("training.registered")
def _on_registered(event: dict) -> None:
    kind = (
        kinds.EVENT_REGISTERED.name
        if event["status"] == "confirmed"
        else kinds.EVENT_WAITLISTED.name
    )
    _tell(_event(event["event_id"]), [event["user_id"]], kind)


@handles("training.promoted")
def _on_promoted(event: dict) -> None:
    _tell(_event(event["event_id"]), event["user_ids"], kinds.EVENT_PROMOTED.name)


@handles("training.event_changed")
def _on_changed(event: dict) -> None:
    _tell(
        _event(event["event_id"]), event["user_ids"], kinds.EVENT_CHANGED.name,
        actor_id=event.get("actor_id"),
    )  # fmt: skip


@handles("training.event_cancelled")
def _on_cancelled(event: dict) -> None:
    _tell(
        _event(event["event_id"]), event["user_ids"], kinds.EVENT_CANCELLED.name,
        actor_id=event.get("actor_id"), body=event.get("reason", ""),
    )  # fmt: skip


@handles("training.reminder")
def _on_reminder(event: dict) -> None:
    kind = kinds.EVENT_REMINDER_HOUR if event["which"] == "hour" else kinds.EVENT_REMINDER_DAY
    _tell(_event(event["event_id"]), event["user_ids"], kind.name)


@handles("training.message")
def _on_message(event: dict) -> None:
    _tell(
        _event(event["event_id"]), event["user_ids"], kinds.EVENT_MESSAGE.name,
        actor_id=event.get("actor_id"), subject=event["subject"], body=event["body"],
    )  # fmt: skip


@handles("training.proposal_scheduled")
def _on_proposal_scheduled(event: dict) -> None:
    from community.training.models import Support

    supporters = Support.objects.filter(proposal_id=event["proposal_id"]).values_list(
        "user_id", flat=True
    )
    _tell(
        _event(event["event_id"]), supporters, kinds.PROPOSAL_SCHEDULED.name,
        actor_id=event.get("actor_id"),
    )  # fmt: skip


@task
def send_training_email(notification_id: int) -> bool:
    """Email one training notification, once, if the member still wants email."""
    from ..emails import _send, preferences_for, unsubscribe_url
    from ..models import Notification

    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at:
        return False
    user = notification.user
    if not user.is_active or not preferences_for(user).email_when_away:
        return False
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    data = notification.data
    _send(
        to=user.email,
        subject=kinds.text_of(notification),
        template="training",
        context={
            "user": user,
            "text": kinds.text_of(notification),
            "when": data.get("when", ""),
            "body": data.get("body", ""),
            "url": site_url() + kinds.link_of(notification),
            "now": timezone.now().astimezone(LONDON),
        },
        unsubscribe=unsubscribe_url(user.pk, "email_when_away"),
    )
    return True
