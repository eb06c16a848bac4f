"""What parents, carers and young people tell the centre through the "Tell us" form."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.accounts.models import LocalAuthority, Region
from community.forum.models import Thread, Topic


class FeedbackResponse(models.Model):
    class Who(models.TextChoices):
        PARENT_CARER = "parent_carer", _("A parent or carer")
        YOUNG_PERSON = "young_person", _("A young person")
        OTHER = "other", _("Someone else")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        HELD = "held", _("Held: may contain personal details")
        REVIEWED = "reviewed", _("Reviewed")
        ARCHIVED = "archived", _("Archived")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="feedback_responses",
    )  # fmt: skip
    who = models.CharField(max_length=15, choices=Who.choices)
    need = models.TextField(blank=True)
    worked = models.TextField(blank=True)
    not_worked = models.TextField(blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL)
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.SET_NULL
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    credit_consent = models.BooleanField(default=False)
    credit_name = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    held_reasons = models.JSONField(default=list, blank=True)
    matches = models.JSONField(default=list, blank=True)
    safeguarding = models.BooleanField(
        default=False, help_text=_("Words that may mean someone is at risk: the leads were told.")
    )
    practice_topics = models.ManyToManyField(Topic, blank=True, related_name="feedback_responses")
    used_in_thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Library resources whose "What families said" section quotes it.
    used_in_resources = models.ManyToManyField(
        "library.Resource", blank=True, related_name="family_feedback"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"], name="feedback_inbox")]

    def __str__(self) -> str:
        return f"Feedback {self.pk}"

    @property
    def credit(self) -> str:
        """How the response is credited where it is used: a name only with consent."""
        if self.credit_consent and self.credit_name:
            return self.credit_name
        return str(self.Who(self.who).label).capitalize() if self.who else "A family member"
