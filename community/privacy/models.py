"""Members' rights: consents with their history, data exports, account deletions, appeals,
and the accessibility statement's review date."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Consent(models.Model):
    """One decision about one consent, with the wording the member saw. Rows are only added:
    the latest row per kind is the member's current choice, the rest is its history."""

    class Kind(models.TextChoices):
        NEWSLETTER = "newsletter", _("Newsletter by email")
        RESEARCH = "research", _("Being contacted to take part in research")
        CREDIT = "credit", _("Being credited by name on library resources")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    granted = models.BooleanField()
    text_version = models.CharField(max_length=20)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "kind", "-created_at"], name="consent_latest")]


class DataExport(models.Model):
    """A member's "download my data" ZIP: built in the background, downloadable once."""

    class State(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready to download")
        DOWNLOADED = "downloaded", _("Downloaded and deleted")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    file = models.FileField(upload_to="exports/", blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]


class DeletionRequest(models.Model):
    """A member asked to delete their account: done when the grace period ends, unless undone
    or held by an open safeguarding concern. Once done, no personal data is left here."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled by the member")
        COMPLETED = "completed", _("Completed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deletion_requests",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    held_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Last time a safeguarding hold postponed it.")
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "due_at"], name="deletion_due")]


class Appeal(models.Model):
    """A member's appeal against a moderator's decision about their post or private message."""

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for a moderator")
        UPHELD = "upheld", _("Decision upheld")
        OVERTURNED = "overturned", _("Decision overturned")

    post = models.ForeignKey(
        "forum.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeals"
    )
    # Who made the decision appealed against: they may not decide the appeal.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=40)
    statement = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=models.Q(state="open"), name="one_open_appeal_per_post"
            ),
            models.UniqueConstraint(
                fields=["message"],
                condition=models.Q(state="open"),
                name="one_open_appeal_per_message",
            ),
        ]


class StatementReview(models.Model):
    """When staff last reviewed the accessibility statement (the latest row is shown)."""

    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
