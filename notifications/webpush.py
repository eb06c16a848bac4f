"""Web push (RFC 8030, encrypted per RFC 8291, signed with VAPID per RFC 8292) to members' devices.

A push carries no private text: a neutral title and line for its group, and a link to the
notification's `open` view, which re-checks what the member may see before redirecting.
Delivery plugs into `push.deliver` through one call (`queue_pushes`), and each push is sent by
a task, so a slow push service never holds up a request.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.sqlarrays import among

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushGroup:
    name: str
    label: str
    kinds: frozenset[str]
    # What the push says: neutral, the same for everyone, never a name, title or post.
    line: str
    leads_only: bool = False


PUSH_GROUPS: dict[str, PushGroup] = {
    group.name: group
    for group in [
        PushGroup(
            "replies",
            _("Replies to you and new posts in threads you watch"),
            frozenset({"reply", "quote", "posted"}),
            _("There is a new reply for you."),
        ),
        PushGroup(
            "mentions", _("Mentions of you"), frozenset({"mention"}), _("Someone mentioned you.")
        ),
        PushGroup(
            "safeguarding",
            _("Safeguarding alerts (safeguarding leads and moderators)"),
            frozenset({"safeguarding_concern", "message_safeguarding", "visitor_report"}),
            _("There is a new safeguarding alert to look at."),
            leads_only=True,
        ),
        PushGroup(
            "events",
            _("Reminders and changes for events you registered for"),
            frozenset(
                {
                    "event_reminder_day",
                    "event_reminder_hour",
                    "event_changed",
                    "event_cancelled",
                    "event_promoted",
                }
            ),
            _("There is news about an event you registered for."),
        ),
        PushGroup(
            "supportline",
            _("SupportLine updates"),
            frozenset(
                {
                    "supportline_received",
                    "supportline_new",
                    "supportline_update",
                    "supportline_assigned",
                    "supportline_message",
                    "supportline_overdue",
                }
            ),
            _("There is news on a SupportLine case."),
        ),
    ]
}
GROUP_OF_KIND = {kind: group for group in PUSH_GROUPS.values() for kind in group.kinds}
PUSHED_KINDS = frozenset(GROUP_OF_KIND)


def groups_offered_to(user) -> list[PushGroup]:
    receives_alerts = user.is_safeguarding_lead or user.is_moderator
    return [g for g in PUSH_GROUPS.values() if receives_alerts or not g.leads_only]


def default_groups(user) -> list[str]:
    """Children's accounts push nothing until they choose; adults get what they can receive."""
    if user.is_minor:
        return []
    return [group.name for group in groups_offered_to(user)]


def chosen_groups(user, prefs) -> set[str]:
    offered = {group.name for group in groups_offered_to(user)}
    chosen = default_groups(user) if prefs.push_groups is None else prefs.push_groups
    return offered & set(chosen)


def vapid_public_key() -> str:
    return settings.VAPID_PUBLIC_KEY


def payload_for(notification) -> dict:
    """What the device is told: nothing a lock screen should not show."""
    group = GROUP_OF_KIND[notification.kind]
    return {
        "title": str(_("Family Hubs Network")),
        "body": str(group.line),
        "url": reverse("notifications:open", args=[notification.pk]),
        "tag": f"notification-{notification.pk}",
    }


def queue_pushes(notifications: list) -> None:
    """Enqueue a push task for each new notification of a pushed kind to a member with a device.

    Called by `push.deliver`, after the commit that wrote the notifications."""
    from .models import PushDevice

    candidates = [n for n in notifications if n.kind in PUSHED_KINDS]
    if not candidates or not settings.VAPID_PRIVATE_KEY:  # push not set up on this site
        return
    with_devices = set(
        PushDevice.objects.filter(among("user_id", {n.user_id for n in candidates}))
        .values_list("user_id", flat=True)
        .distinct()
    )
    for n in candidates:
        if n.user_id in with_devices:
            transaction.on_commit(lambda pk=n.pk: send_push.enqueue(pk))


def may_push(notification) -> bool:
    """Whether the member still wants this pushed and may still see what it is about."""
    from community.forum import permissions

    from .emails import preferences_for

    user = notification.user
    if not user.is_active or user.is_suspended or notification.read_at is not None:
        return False
    group = GROUP_OF_KIND.get(notification.kind)
    if group is None or group.name not in chosen_groups(user, preferences_for(user)):
        return False
    if notification.post_id is not None and not permissions.can_read_post(user, notification.post):
        return False  # held, hidden, deleted or moved out of the member's sight since
    return True


@task
def send_push(notification_id: int) -> int:
    """Push one notification to each of its member's devices; forget devices that are gone.

    Returns how many devices accepted it."""
    from pywebpush import WebPushException, webpush

    from .models import Notification, PushDevice

    notification = (
        Notification.objects.select_related("user", "post__thread__space")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or not may_push(notification):
        return 0
    data = json.dumps(payload_for(notification))
    accepted = 0
    for device in PushDevice.objects.filter(user=notification.user):
        try:
            webpush(
                subscription_info={
                    "endpoint": device.endpoint,
                    "keys": {"p256dh": device.p256dh, "auth": device.auth},
                },
                data=data,
                vapid_private_key=settings.VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                content_encoding="aes128gcm",
                ttl=24 * 60 * 60,
                timeout=10,
            )
        except WebPushException as e:
            status = getattr(e.response, "status_code", None)
            if status in (404, 410):
                # The browser unsubscribed or the subscription expired: it will never come back.
                device.delete()
            else:
                logger.warning("push to device %s failed: %s", device.pk, status or e)
            continue
        except Exception as e:  # a push service that cannot be reached; try the others
            logger.warning("push to device %s failed: %s", device.pk, e)
            continue
        accepted += 1
        PushDevice.objects.filter(pk=device.pk).update(last_pushed_at=timezone.now())
    return accepted
