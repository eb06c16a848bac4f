"""Changes members make to their notifications."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from community.events import publish_on_commit
from community.forum import permissions
from community.forum.models import Space, Thread, Topic

from . import push
from .emails import preferences_for
from .models import Level, Notification, Preferences, Subscription
from .selectors import forget_unread_counts


def _check_target(user, target: str, target_id: int) -> None:
    if target == Subscription.Target.THREAD:
        thread = Thread.objects.select_related("space").filter(pk=target_id).first()
        if thread is None or not permissions.can_read_thread(user, thread):
            raise PermissionDenied(_("You cannot follow that thread."))
    elif target == Subscription.Target.SPACE:
        space = Space.objects.filter(pk=target_id).first()
        if space is None or not permissions.can_read_space(user, space):
            raise PermissionDenied(_("You cannot follow that space."))
    elif target == Subscription.Target.TOPIC:
        if not Topic.objects.filter(pk=target_id).exists():
            raise ValidationError(_("No such topic."))
    elif target == Subscription.Target.TAG:
        from taggit.models import Tag

        if not Tag.objects.filter(pk=target_id).exists():
            raise ValidationError(_("No such tag."))
    else:
        raise ValidationError(_("Choose a thread, space, topic or tag."))


@transaction.atomic
def set_level(*, user, target: str, target_id: int, level: int) -> Subscription:
    """Set how much the member hears about a thread, space, topic or tag."""
    if level not in Level.values:
        raise ValidationError(_("Choose one of the notification levels."))
    _check_target(user, target, target_id)
    subscription, _created = Subscription.objects.update_or_create(
        user=user,
        target=target,
        target_id=target_id,
        defaults={"level": level, "updated_at": timezone.now()},
    )
    return subscription


@transaction.atomic
def forget_unreadable_subscriptions(*, user) -> int:
    """Drop the member's levels for threads and spaces they can no longer read (a thread
    moved to a private space, hidden or deleted; a group they left); return how many."""
    mine = Subscription.objects.filter(user=user)
    thread_ids = set(
        mine.filter(target=Subscription.Target.THREAD).values_list("target_id", flat=True)
    )
    space_ids = set(
        mine.filter(target=Subscription.Target.SPACE).values_list("target_id", flat=True)
    )
    readable_threads = set(
        permissions.visible_threads(user, Thread.objects.filter(pk__in=thread_ids)).values_list(
            "pk", flat=True
        )
    ) if thread_ids else set()  # fmt: skip
    readable_spaces = set(
        permissions.visible_spaces(user, Space.objects.filter(pk__in=space_ids)).values_list(
            "pk", flat=True
        )
    ) if space_ids else set()  # fmt: skip
    gone_threads = thread_ids - readable_threads
    gone_spaces = space_ids - readable_spaces
    if not (gone_threads or gone_spaces):
        return 0
    deleted, _by_model = mine.filter(
        Q(target=Subscription.Target.THREAD, target_id__in=gone_threads)
        | Q(target=Subscription.Target.SPACE, target_id__in=gone_spaces)
    ).delete()
    return deleted


def forget_all_unreadable_subscriptions() -> int:
    """The periodic job: every member's levels checked against what they may read now."""
    from django.contrib.auth import get_user_model

    user_ids = (
        Subscription.objects.filter(
            target__in=[Subscription.Target.THREAD, Subscription.Target.SPACE]
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    removed = 0
    for user in get_user_model().objects.filter(pk__in=user_ids).iterator():
        removed += forget_unreadable_subscriptions(user=user)
    return removed


def mark_read(*, user, notification: Notification) -> None:
    if notification.user_id != user.pk:
        raise PermissionDenied(_("That notification is not yours."))
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if updated:
        forget_unread_counts([user.pk])
        transaction.on_commit(lambda: push.unread_changed(user.pk))


def mark_all_read(*, user) -> int:
    updated = Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if updated:
        forget_unread_counts([user.pk])
        transaction.on_commit(lambda: push.unread_changed(user.pk))
    return updated


@transaction.atomic
def update_preferences(*, user, email_when_away: bool, digest: str) -> Preferences:
    if digest not in Preferences.Digest.values:
        raise ValidationError(_("Choose daily, weekly or no summary email."))
    prefs = preferences_for(user)
    prefs.email_when_away = email_when_away
    prefs.digest = digest
    prefs.save(update_fields=["email_when_away", "digest"])
    return prefs


@transaction.atomic
def unsubscribe(*, user_id: int, what: str) -> Preferences:
    """Stop one kind of email for the member named in a signed link (no sign-in needed)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=user_id)
    prefs = preferences_for(user)
    if what == "digest":
        prefs.digest = Preferences.Digest.NONE
    else:
        prefs.email_when_away = False
    prefs.save(update_fields=["digest", "email_when_away"])
    return prefs


# Web push devices (notifications/webpush.py).


@transaction.atomic
def register_device(*, user, endpoint: str, p256dh: str, auth: str, label: str = ""):
    """Remember a browser the member asked to receive pushes on (the same browser again
    replaces its old subscription)."""
    import base64

    from django.core.validators import URLValidator

    from .models import PushDevice

    if user.is_suspended:
        raise PermissionDenied(_("Your account is suspended."))
    try:
        URLValidator(schemes=["https", "http"])(endpoint)
        if len(endpoint) > 1000:
            raise ValidationError("long")
        # The keys must be a P-256 point (65 bytes) and a 16-byte secret, base64url encoded.
        if len(base64.urlsafe_b64decode(p256dh + "=" * (-len(p256dh) % 4))) != 65:
            raise ValidationError("p256dh")
        if len(base64.urlsafe_b64decode(auth + "=" * (-len(auth) % 4))) != 16:
            raise ValidationError("auth")
    except (ValidationError, ValueError) as e:
        raise ValidationError(_("That does not look like a push subscription.")) from e
    if not endpoint.startswith("https://") and not _loopback(endpoint):
        raise ValidationError(_("That does not look like a push subscription."))
    device, created = PushDevice.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "label": label[:100]},
    )
    # Ids only: the endpoint is a capability (whoever holds it can push to the browser).
    publish_on_commit(
        {"type": "push.device_added", "user_id": user.pk, "device_id": device.pk,
         "replaced": not created}
    )  # fmt: skip
    return device


def _loopback(endpoint: str) -> bool:
    # Plain HTTP only for a push service on this machine (development and tests).
    from urllib.parse import urlsplit

    return urlsplit(endpoint).hostname in {"127.0.0.1", "localhost", "::1"}


@transaction.atomic
def remove_device(*, user, device_id: int) -> None:
    """Stop pushing to one of the member's devices. Someone else's device is not found."""
    from django.http import Http404

    from .models import PushDevice

    deleted, _rows = PushDevice.objects.filter(pk=device_id, user=user).delete()
    if not deleted:
        raise Http404
    publish_on_commit({"type": "push.device_removed", "user_id": user.pk, "device_id": device_id})


@transaction.atomic
def set_push_groups(*, user, groups: list[str]) -> Preferences:
    """Choose which groups of notifications are pushed to the member's devices."""
    from . import webpush

    offered = {group.name for group in webpush.groups_offered_to(user)}
    unknown = set(groups) - offered
    if unknown:
        raise ValidationError(_("Choose from the kinds of notification listed."))
    prefs = preferences_for(user)
    prefs.push_groups = sorted(set(groups))
    prefs.save(update_fields=["push_groups"])
    publish_on_commit(
        {"type": "push.preferences_changed", "user_id": user.pk, "groups": prefs.push_groups}
    )
    return prefs
