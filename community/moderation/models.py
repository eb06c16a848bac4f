"""The moderation log: append-only, every decision traceable."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.audit import AuditEntry, AuditRecord


class ModerationLog(AuditEntry):
    """Who did what, when, why, and what it was before and after. Never updated or deleted."""

    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=20)
    target_id = models.PositiveBigIntegerField()
    reason = models.TextField(blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="modlog_target"),
            models.Index(fields=["action", "-id"], name="modlog_action"),
        ]

    def as_record(self) -> AuditRecord:
        return AuditRecord(
            log="moderation", when=self.created_at, actor=self.actor, action=self.action,
            reason=self.reason, before=self.before, after=self.after,
        )  # fmt: skip


class Flag(models.Model):
    """A member's report of a post. One per member per post."""

    class Reason(models.TextChoices):
        SAFEGUARDING = "safeguarding", _("Safeguarding concern: a child or adult may be at risk")
        PERSONAL_INFO = "personal_info", _("Personal information about a child or family")
        INAPPROPRIATE = "inappropriate", _("Inappropriate or offensive")
        SPAM = "spam", _("Spam or advertising")
        OFF_TOPIC = "off_topic", _("Off-topic")
        OTHER = "other", _("Something else (tell us below)")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for a moderator")
        AGREED = "agreed", _("A moderator agreed and acted")
        DISAGREED = "disagreed", _("A moderator reviewed the post and left it up")

    post = models.ForeignKey("forum.Post", on_delete=models.CASCADE, related_name="flags")
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags_made"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True)
    weight = models.FloatField(default=1)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "flagger"], name="one_flag_per_member")
        ]


class ReviewItem(models.Model):
    """Something waiting in the review queue."""

    class Kind(models.TextChoices):
        FLAGGED_POST = "flagged_post", _("Flagged post")
        HELD_POST = "held_post", _("Post held for approval")
        NEW_ACCOUNT = "new_account", _("New account")
        REPORTED_MESSAGE = "reported_message", _("Reported private message")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        DISMISSED = "dismissed", _("Flags dismissed")
        HIDDEN = "hidden", _("Post hidden")
        DELETED = "deleted", _("Post deleted")

    class Priority(models.IntegerChoices):
        SAFEGUARDING = 0, _("Safeguarding")
        HIGH = 1, _("High")
        NORMAL = 2, _("Normal")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    post = models.ForeignKey(
        "forum.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "accounts.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reasons = models.JSONField(default=list, blank=True)
    matches = models.JSONField(default=list, blank=True)
    # What a moderator needs about something that is not a post (a reported private message:
    # sender, text, conversation and message ids), copied when reported, so moderation never
    # reads the private conversation itself.
    snapshot = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["state", "priority", "created_at"], name="review_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "post"],
                condition=models.Q(state="pending"),
                name="one_pending_item_per_post",
            )
        ]


class SafeguardingConcern(models.Model):
    """A safeguarding record: only designated safeguarding leads and centre staff see it.

    About a post (`post`) or a private message: a message stays private to its conversation,
    so the concern keeps a copy of it as reported (`message_snapshot`), as the review queue
    does. `author` is whose words they are, for the safeguarding hold on deleting accounts.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ESCALATED = "escalated", _("Escalated outside the network")
        CLOSED = "closed", _("Closed")

    class Referral(models.TextChoices):
        NONE = "", _("No referral")
        MASH = "mash", _("MASH (multi-agency safeguarding hub)")
        LADO = "lado", _("LADO")
        POLICE = "police", _("Police")
        CEOP = "ceop", _("CEOP")
        IWF = "iwf", _("Internet Watch Foundation")

    post = models.ForeignKey(
        "forum.Post", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message_snapshot = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    referral = models.CharField(max_length=10, choices=Referral.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_about_a_message(self) -> bool:
        return self.post_id is None


class SafeguardingNote(models.Model):
    concern = models.ForeignKey(SafeguardingConcern, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


class UserNote(models.Model):
    """A moderator's private note about a member."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderator_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]


class WatchedWord(models.Model):
    class Action(models.TextChoices):
        BLOCK = "block", _("Block the post")
        REQUIRE_APPROVAL = "approve", _("Hold for approval")
        CENSOR = "censor", _("Censor (replace with ■■■)")
        FLAG = "flag", _("Flag for review")

    pattern = models.CharField(max_length=300)
    is_regex = models.BooleanField(default=False)
    action = models.CharField(max_length=8, choices=Action.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["action", "pattern"]
