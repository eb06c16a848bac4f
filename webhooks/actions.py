"""Register, change, remove and test webhooks; send a delivery again."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.accounts.permissions import can_use_network

from .delivery import check_payload_url
from .dispatch import send_delivery
from .models import Delivery, EventGroup, Webhook
from .permissions import can_manage_webhooks


def _require_staff(actor) -> None:
    if not can_manage_webhooks(actor):
        raise PermissionDenied(_("Only centre staff manage webhooks."))


def _validate(*, payload_url: str, secret: str, event_groups: Iterable[str], owner) -> list[str]:
    errors = {}
    try:
        check_payload_url(payload_url)
    except ValidationError as refused:
        errors["payload_url"] = refused.messages
    if len(secret) < 12:
        errors["secret"] = _("Use a secret of at least 12 characters.")
    groups = list(dict.fromkeys(event_groups))
    if not groups or set(groups) - set(EventGroup.values):
        errors["event_groups"] = _("Choose at least one kind of event.")
    if owner is None or not can_use_network(owner):
        errors["owner"] = _("The owner must be an active member who is not suspended.")
    if errors:
        raise ValidationError(errors)
    return groups


@transaction.atomic
def create_webhook(
    *, actor, payload_url: str, event_groups: Iterable[str], owner=None, secret: str = "",
    spaces: Iterable = (), is_active: bool = True,
) -> Webhook:  # fmt: skip
    """Register a payload URL for the chosen events; deliveries carry what `owner` may see."""
    _require_staff(actor)
    owner = owner or actor
    secret = secret or secrets.token_urlsafe(32)
    groups = _validate(payload_url=payload_url, secret=secret, event_groups=event_groups,
                       owner=owner)  # fmt: skip
    webhook = Webhook.objects.create(
        payload_url=payload_url, secret=secret, event_groups=groups, owner=owner,
        is_active=is_active, created_by=actor,
    )  # fmt: skip
    webhook.spaces.set(spaces)
    return webhook


@transaction.atomic
def update_webhook(
    *, actor, webhook: Webhook, payload_url: str, event_groups: Iterable[str], owner,
    secret: str = "", spaces: Iterable = (), is_active: bool = True,
) -> Webhook:  # fmt: skip
    """Change a webhook; an empty secret keeps the current one."""
    _require_staff(actor)
    secret = secret or webhook.secret
    groups = _validate(payload_url=payload_url, secret=secret, event_groups=event_groups,
                       owner=owner)  # fmt: skip
    webhook.payload_url, webhook.secret, webhook.event_groups = payload_url, secret, groups
    webhook.owner, webhook.is_active = owner, is_active
    webhook.save()
    webhook.spaces.set(spaces)
    return webhook


@transaction.atomic
def delete_webhook(*, actor, webhook: Webhook) -> None:
    """Remove a webhook and its delivery log."""
    _require_staff(actor)
    webhook.delete()


def _send(webhook: Webhook, *, name: str, group: str, payload: str) -> Delivery:
    item = Delivery.objects.create(
        webhook=webhook, event_name=name, event_type=group, payload=payload,
        next_attempt_at=timezone.now(),
    )  # fmt: skip
    transaction.on_commit(lambda: send_delivery.enqueue(item.pk))
    return item


@transaction.atomic
def ping_webhook(*, actor, webhook: Webhook) -> Delivery:
    """Send a `ping` event, to check the receiver and its signature check."""
    _require_staff(actor)
    return _send(webhook, name="ping", group="ping", payload=json.dumps({"ping": "OK"}))


@transaction.atomic
def redeliver(*, actor, delivery: Delivery) -> Delivery:
    """Send a past delivery's payload again, as a new delivery with its own id."""
    _require_staff(actor)
    return _send(delivery.webhook, name=delivery.event_name, group=delivery.event_type,
                 payload=delivery.payload)  # fmt: skip
