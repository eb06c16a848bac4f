"""Webhooks staff register, and every delivery made to them (the delivery log)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class EventGroup(models.TextChoices):
    """What staff choose to hear about (Discourse's webhook event types, and ours)."""

    TOPIC = "topic", _("Topics: created, edited, closed, deleted")
    POST = "post", _("Posts: created, edited, deleted, restored")
    USER = "user", _("Members: joined, verified, suspended (never members under 18)")
    FLAG = "flag", _("Flags raised on posts (never safeguarding concerns)")
    LIBRARY_RESOURCE = "library_resource", _("Library resources published or archived")
    EVENT_REGISTRATION = "event_registration", _("Event registrations and cancellations")
    SUPPORTLINE = "supportline", _("SupportLine case status changes (reference and status only)")


class Webhook(models.Model):
    """A payload URL that hears about chosen events, seen as its owner may see them."""

    payload_url = models.URLField(_("payload URL"), max_length=500)
    # Kept, not hashed: every delivery is signed with it (as Discourse does).
    secret = models.CharField(_("secret"), max_length=200)
    event_groups = models.JSONField(_("events"), default=list)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="webhooks",
        help_text=_("Deliveries carry only what this member may see."),
    )
    spaces = models.ManyToManyField(
        "forum.Space",
        blank=True,
        related_name="+",
        help_text=_("Only topics and posts in these spaces; none chosen means every space."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.payload_url

    def get_absolute_url(self) -> str:
        return reverse("webhooks:detail", args=[self.pk])

    @cached_property
    def scoped_space_ids(self) -> set[int]:
        return set(self.spaces.values_list("pk", flat=True))


class Delivery(models.Model):
    """One event sent (or to be sent) to one webhook; its id is X-Discourse-Event-Id."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        RETRYING = "retrying", _("Failed; will try again")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed; no more tries")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_name = models.CharField(max_length=60)
    event_type = models.CharField(max_length=30)  # an EventGroup, or "ping"
    # The exact body sent, so a redelivery is signed over the same bytes.
    payload = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_name} → {self.webhook_id} ({self.state})"
