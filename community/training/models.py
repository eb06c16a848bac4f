"""Training events with registration and a waitlist, and the topics members ask for.

Times are stored as aware datetimes (UTC in the database) and always entered and shown
in Europe/London, whatever the server's zone, so the clocks changing moves nothing.
"""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.accounts.models import Region
from community.forum.models import Thread, Topic

LONDON = ZoneInfo("Europe/London")


class Event(models.Model):
    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")
        HYBRID = "hybrid", _("Hybrid (in person and online)")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone in the network")
        PROFESSIONALS = "professionals", _("Practitioners, commissioners and hub leads")
        PARENTS_CARERS = "parents_carers", _("Parents and carers")
        YOUNG_PEOPLE = "young_people", _("Young people")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(max_length=200)
    description = models.TextField(help_text=_("Markdown works."))
    description_html = models.TextField(blank=True)
    description_text = models.TextField(blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="events")
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        help_text=_("Leave empty for a national event."),
    )
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.ONLINE)
    venue = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True)
    online_url = models.URLField(
        _("joining link"), blank=True, help_text=_("Shown only to people with a place.")
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    capacity = models.PositiveIntegerField()
    registration_deadline = models.DateTimeField(null=True, blank=True)
    hosts = models.CharField(_("hosts and speakers"), max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancellation_reason = models.TextField(blank=True)
    # Calendar clients replace their copy when SEQUENCE grows (RFC 5545 3.8.7.4).
    sequence = models.PositiveIntegerField(default=0)
    # Kept in step by the registration actions, under the event row's lock.
    confirmed_count = models.PositiveIntegerField(default=0)
    waitlist_count = models.PositiveIntegerField(default=0)
    discussion_thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at"], name="event_starts")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed_count__lte=models.F("capacity")),
                name="event_never_overbooked",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:event", args=[self.pk])

    @property
    def starts_local(self):
        return self.starts_at.astimezone(LONDON)

    @property
    def ends_local(self):
        return self.ends_at.astimezone(LONDON)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)

    @property
    def has_venue(self) -> bool:
        return self.format in (self.Format.IN_PERSON, self.Format.HYBRID)

    @property
    def is_online(self) -> bool:
        return self.format in (self.Format.ONLINE, self.Format.HYBRID)

    @property
    def where(self) -> str:
        return self.region.name if self.region_id else str(_("National"))


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Place confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    # When the member (last) asked for a place: the waitlist is served in this order.
    queued_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)
    reminded_day_at = models.DateTimeField(null=True, blank=True)
    reminded_hour_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event", "queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="one_registration_per_member")
        ]
        indexes = [
            models.Index(fields=["event", "status", "queued_at"], name="registration_queue"),
            models.Index(fields=["user", "status"], name="registration_member"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.event_id} ({self.status})"


class Feedback(models.Model):
    class Rating(models.IntegerChoices):
        POOR = 1, _("1 – Poor")
        FAIR = 2, _("2 – Fair")
        GOOD = 3, _("3 – Good")
        VERY_GOOD = 4, _("4 – Very good")
        EXCELLENT = 5, _("5 – Excellent")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    most_useful = models.TextField(blank=True)
    improve = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="one_feedback_per_attendee")
        ]


class Material(models.Model):
    """Slides or a recording for an event: a link, a file, or a resource in the library
    (where it is kept under review with everything else the centre publishes)."""

    class Kind(models.TextChoices):
        SLIDES = "slides", _("Slides")
        RECORDING = "recording", _("Recording")
        OTHER = "other", _("Other material")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    file = models.FileField(upload_to="event-materials/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    resource = models.ForeignKey(
        "library.Resource",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="event_materials",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "created_at", "pk"]

    def get_absolute_url(self) -> str:
        if self.resource_id:
            return self.resource.get_absolute_url()
        if self.url:
            return self.url
        return reverse("training:material_file", args=[self.pk, self.original_name])


class FeedToken(models.Model):
    """The secret in a member's private calendar feed URL; resetting it cuts old links off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_feed_token"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class Proposal(models.Model):
    """A training topic a member asks for; others support it, one vote each."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for support")
        SCHEDULED = "scheduled", _("Scheduled as an event")
        CLOSED = "closed", _("Closed")

    title = models.CharField(max_length=200)
    description = models.TextField()
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_proposals"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    support_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-support_count", "created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:proposals") + f"#proposal-{self.pk}"


class Support(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_supports"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_vote_per_member")
        ]
