"""SupportLine: consultation requests (cases), their private conversation and audit trail,
experts with their specialisms and availability, surveys and anonymised themes.

A case is not a forum thread: its conversation lives in `CaseMessage`, so no forum list,
search or feed can ever show it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.accounts.models import LocalAuthority, Region
from community.audit import AuditEntry, AuditRecord
from community.forum.models import Topic


class Stage(models.TextChoices):
    EXPLORING = "exploring", _("Exploring a family hub")
    SETTING_UP = "setting_up", _("Setting up a family hub")
    DELIVERING = "delivering", _("Delivering a family hub")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine: within a few weeks is fine")
    SOON = "soon", _("Soon: a decision is coming up")
    URGENT = "urgent", _("Urgent: this week if possible")


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")


class ExpertProfile(models.Model):
    """A member who takes consultations, and the practice topics they specialise in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile"
    )
    specialisms = models.ManyToManyField(Topic, related_name="experts")
    summary = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__display_name"]

    def __str__(self) -> str:
        return str(self.user)


class AvailabilitySlot(models.Model):
    """A time an expert offers for a consultation; booked when a case points at it."""

    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability_slots"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["expert", "starts_at"], name="slot_expert_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert} {self.starts_at:%Y-%m-%d %H:%M}"


class ReferenceSequence(models.Model):
    """The last reference number handed out in a year (SL-2026-00042)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class ConsultationRequest(models.Model):
    """A request for free expert consultation, and the case that follows it."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        TRIAGED = "triaged", _("Triaged")
        ASSIGNED = "assigned", _("Expert assigned")
        BOOKED = "booked", _("Consultation booked")
        CLOSED = "closed", _("Closed")
        DECLINED = "declined", _("Declined")

    OPEN_STATUSES = (Status.NEW, Status.TRIAGED, Status.ASSIGNED, Status.BOOKED)
    FINISHED_STATUSES = (Status.CLOSED, Status.DECLINED)

    reference = models.CharField(max_length=20, unique=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultation_requests"
    )
    organisation = models.CharField(_("organisation"), max_length=150)
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    topics = models.ManyToManyField(Topic, related_name="+")
    question = models.TextField()
    question_html = models.TextField()
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    preferred_contact = models.CharField(
        max_length=10, choices=ContactMethod.choices, default=ContactMethod.EMAIL
    )
    contact_phone = models.CharField(max_length=30, blank=True)
    preferred_times = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    # The SupportLine staff member looking after the case: reminded when it is overdue.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_cases",
    )
    assigned_expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_cases",
    )
    booked_slot = models.OneToOneField(
        AvailabilitySlot, null=True, blank=True, on_delete=models.SET_NULL, related_name="case"
    )
    outcome = models.TextField(blank=True)
    decline_reason = models.TextField(blank=True)
    via_invitation = models.BooleanField(
        default=False, help_text=_("Filed by a visitor, whose account was created by invitation.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    first_response_due_at = models.DateTimeField()
    first_responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    message_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "first_response_due_at"], name="case_queue"),
            models.Index(fields=["requester", "-created_at"], name="case_requester"),
            models.Index(fields=["assigned_expert", "-created_at"], name="case_expert"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("supportline:case", args=[self.reference])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        """No first response yet, and the service level's deadline has passed."""
        now = now or timezone.now()
        return self.first_responded_at is None and self.first_response_due_at < now


class CaseMessage(models.Model):
    """One message in a case's private conversation; rendered once, at write time."""

    case = models.ForeignKey(ConsultationRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.TextField()
    html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="case_message_order")]


class CaseEvent(AuditEntry):
    """The append-only audit trail of a case: every action that changed it."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Request submitted")
        TAKEN = "taken", _("Case taken by a staff member")
        TRIAGED = "triaged", _("Triaged")
        ASSIGNED = "assigned", _("Expert assigned")
        BOOKED = "booked", _("Consultation booked")
        CLOSED = "closed", _("Closed")
        DECLINED = "declined", _("Declined")
        REMINDED = "reminded", _("Overdue reminder sent")
        SURVEYED = "surveyed", _("Satisfaction survey answered")

    case = models.ForeignKey(ConsultationRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def as_record(self) -> AuditRecord:
        return AuditRecord(
            log="supportline", when=self.created_at, actor=self.actor, action=self.kind,
            reason=self.note, before={"status": self.from_status} if self.from_status else {},
            after={"status": self.to_status} if self.to_status else {},
        )  # fmt: skip


class SatisfactionSurvey(models.Model):
    """The requester's short verdict on a closed case."""

    class Rating(models.IntegerChoices):
        VERY_POOR = 1, _("Very poor")
        POOR = 2, _("Poor")
        OK = 3, _("Neither good nor poor")
        GOOD = 4, _("Good")
        VERY_GOOD = 5, _("Very good")

    case = models.OneToOneField(
        ConsultationRequest, on_delete=models.CASCADE, related_name="survey"
    )
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    would_recommend = models.BooleanField()
    comments = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class Theme(models.Model):
    """An anonymised theme staff draw from closed cases, to seed a library resource or event.

    It holds no personal data: no names, organisations, references or contact details.
    """

    class SuggestedUse(models.TextChoices):
        RESOURCE = "resource", _("A library resource")
        EVENT = "event", _("A training event")
        EITHER = "either", _("A resource or an event")

    title = models.CharField(max_length=150)
    summary = models.TextField()
    topics = models.ManyToManyField(Topic, related_name="+")
    stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    case_count = models.PositiveIntegerField(
        help_text=_("How many closed cases this theme draws on.")
    )
    suggested_use = models.CharField(
        max_length=10, choices=SuggestedUse.choices, default=SuggestedUse.EITHER
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
