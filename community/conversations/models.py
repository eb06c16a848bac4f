"""Private conversations between members: who takes part, and what they wrote."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    """A private conversation between two or more members."""

    subject = models.CharField(max_length=150)
    # PROTECT: erasing the member hands the conversation to the "Former member" placeholder,
    # so the other participants keep their copy.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_message_at", "-pk"]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("conversations:conversation", args=[self.pk])


class Participant(models.Model):
    """A member's place in a conversation: what they have read, and whether they left."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_places"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    last_read_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="one_place_per_member")
        ]
        indexes = [models.Index(fields=["user", "left_at"], name="participant_inbox")]


class Message(models.Model):
    """One message: the Markdown as written, and its sanitised HTML and plain text."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.TextField()
    html = models.TextField()
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    # Hidden by a moderator (or at once by a safeguarding report, hidden_by empty):
    # the content is kept for the record, participants see a placeholder.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_order")]

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class MessageReport(models.Model):
    """A participant's report of a message. One per member per message."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for a moderator")
        AGREED = "agreed", _("A moderator agreed and hid the message")
        DISAGREED = "disagreed", _("A moderator looked and left the message")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_reports"
    )
    # The same reasons as a post's flag (community.moderation.models.Flag.Reason).
    reason = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="one_report_per_member")
        ]
