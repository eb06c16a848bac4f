"""Email for members who are away, and digests; every email can be unsubscribed in one click."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from community.siteaddress import site_url

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
DIGEST_PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def unsubscribe_token(user_id: int, what: str) -> str:
    return signing.dumps({"u": user_id, "w": what}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=60 * 60 * 24 * 365)
    return int(data["u"]), str(data["w"])


def unsubscribe_url(user_id: int, what: str) -> str:
    path = reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, what)])
    return site_url() + path


def _send(*, to: str, subject: str, template: str, context: dict, unsubscribe: str) -> None:
    context = {**context, "unsubscribe_url": unsubscribe, "site_url": site_url()}
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=f"[Family Hubs Network] {subject}",
        body=text,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    message.send()


def queue_notification_email(notification_id: int) -> None:
    transaction.on_commit(lambda: send_notification_email.enqueue(notification_id))


@task
def send_notification_email(notification_id: int) -> bool:
    """Email one mention or reply, if the member still wants it, has not read it, and may still see it."""
    from community.forum import permissions

    from . import kinds, presence
    from .models import Notification

    notification = (
        Notification.objects.select_related("user", "post__thread__space")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.read_at or notification.emailed_at:
        return False
    user = notification.user
    prefs = preferences_for(user)
    urgent = kinds.get(notification.kind).email_always
    if not urgent and (not prefs.email_when_away or presence.online_ids([user.pk])):
        return False
    if not user.is_active:
        return False
    if notification.post is None and not urgent:
        return False  # kinds that are not about a post (events, SupportLine) send their own emails
    if (
        notification.post is not None
        and not urgent
        and not permissions.can_read_post(user, notification.post)
    ):
        return False
    # Lock the row while sending and mark it sent in the same transaction: if the SMTP server
    # refuses, the mark rolls back with the error and the worker's retry sends it again; a
    # second worker waits on the lock and then sees it sent.
    with transaction.atomic():
        locked = (
            Notification.objects.select_for_update()
            .filter(pk=notification.pk, emailed_at__isnull=True)
            .first()
        )
        if locked is None:
            return False  # another worker sent it
        _send(
            to=user.email,
            subject=kinds.text_of(notification),
            template="notification",
            context={
                "user": user,
                "text": kinds.text_of(notification),
                "url": site_url() + kinds.link_of(notification),
                # Safeguarding alerts never carry the post's words outside the network.
                "excerpt": ""
                if urgent or notification.post is None
                else notification.post.text[:600],
            },
            unsubscribe=unsubscribe_url(user.pk, "email_when_away"),
        )
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


def preferences_for(user):
    from .models import Preferences

    prefs, _created = Preferences.objects.get_or_create(
        user=user,
        defaults={
            "digest": Preferences.Digest.NONE if user.is_minor else Preferences.Digest.WEEKLY
        },
    )
    return prefs


@task
def send_digest(user_id: int, frequency: str) -> bool:
    """Email a summary of the busiest threads this member may read since their last digest."""
    from django.contrib.auth import get_user_model

    from community.forum import permissions

    from .models import Preferences

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    prefs = preferences_for(user)
    if prefs.digest != frequency:
        return False
    now = timezone.now()
    since = prefs.last_digest_at or now - DIGEST_PERIODS[frequency]
    threads = list(
        permissions.visible_threads(user)
        .filter(last_post_at__gt=since)
        .select_related("space")
        .order_by("-post_count", "-last_post_at")[:10]
    )
    Preferences.objects.filter(pk=prefs.pk).update(last_digest_at=now)
    if not threads:
        return False
    _send(
        to=user.email,
        subject=f"{len(threads)} active conversation{'s' if len(threads) != 1 else ''} in your network",
        template="digest",
        context={"user": user, "threads": threads, "frequency": frequency},
        unsubscribe=unsubscribe_url(user.pk, "digest"),
    )
    return True
