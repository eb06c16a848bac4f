"""Changes members make to their notifications."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
