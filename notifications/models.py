"""Who wants to hear about what, and what they have been told."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """Discourse's notification levels."""

    MUTED = 0, _("Muted: nothing")
    NORMAL = 1, _("Normal: mentions and replies to you")
    TRACKING = 2, _("Tracking: mentions, replies and a count of new posts")
    WATCHING = 3, _("Watching: every new post")


class Subscription(models.Model):
    """A member's chosen level for a thread, a space, a topic or a tag."""

    class Target(models.TextChoices):
        THREAD = "thread", _("Thread")
        SPACE = "space", _("Space")
        TOPIC = "topic", _("Topic")
        TAG = "tag", _("Tag")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    target = models.CharField(max_length=6, choices=Target.choices)
    target_id = models.PositiveBigIntegerField()
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "target", "target_id"], name="unique_subscription"
            )
        ]
        indexes = [
            models.Index(fields=["target", "target_id", "level"], name="subscription_target")
        ]


class Notification(models.Model):
    """One thing a member was told. Ids only grow: a reconnecting client asks for those after
    the last one it saw."""

    # A post in a busy thread writes a row per watcher in one INSERT (recording.notify). For
    # 5,000 rows PostgreSQL spent more time on the foreign keys' checks (one lookup per row
    # and key, at commit) than on the rows, and kept a member index the two below already
    # lead with. So: the member key keeps its constraint but not its own index; actor,
    # thread and post are checked by the code that writes them (they come from the post
    # being notified) and are not constrained in the database. Deleting a member, thread or
    # post still clears these rows: Django applies on_delete itself.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    thread = models.ForeignKey(
        "forum.Thread",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    post = models.ForeignKey(
        "forum.Post",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "read_at", "-id"], name="notification_unread"),
            models.Index(fields=["user", "-id"], name="notification_recent"),
        ]


class Delivered(NamedTuple):
    """A new notification as `push.deliver` needs it: what `serialise`, the push queue and
    the email queue read, kept from the insert. Neither read back nor built as model
    instances: for a post with 5,000 watchers that cost the worker about 0.5 s."""

    pk: int
    user_id: int
    kind: str
    thread_id: int | None
    data: dict
    created_at: datetime
    read_at: datetime | None


class Preferences(models.Model):
    """How a member wants to be told by email."""

    class Digest(models.TextChoices):
        NONE = "none", _("No digest")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    email_when_away = models.BooleanField(
        _("Email me mentions and replies when I am not online"), default=True
    )
    digest = models.CharField(
        _("Summary email"), max_length=6, choices=Digest.choices, default=Digest.WEEKLY
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)
    # Which groups of notifications are pushed to the member's devices (notifications/webpush.py
    # PUSH_GROUPS); None until they choose, meaning the defaults for their age.
    push_groups = models.JSONField(null=True, blank=True, default=None)


class PushDevice(models.Model):
    """A browser on a device that a member asked to receive pushes on (a Push API subscription).

    The endpoint is the push service's URL for that browser; p256dh and auth are its keys, used to
    encrypt what is sent (RFC 8291), so the push service cannot read it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_devices"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_pushed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
