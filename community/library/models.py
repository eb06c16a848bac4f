"""The resource library: resources, their published versions, credits and reviews.

A resource has a working copy (title, summary, body, quoted contributions) that owners
edit, and published versions that readers see. Counters (`useful_count`,
`rating_count`, `feedback_count`) are written by actions so lists never count rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from community.accounts.models import Region
from community.audit import AuditEntry, AuditRecord


class Audience(models.Model):
    """Who a resource is for (practitioner, commissioner or leader, parent or carer...)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class AgeStage(models.Model):
    """An age stage a resource covers (conception to 2, 0 to 5...)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    class Type(models.TextChoices):
        TOOLKIT_MODULE = "toolkit_module", _("Toolkit module")
        GUIDANCE = "guidance", _("Guidance")
        CASE_STUDY = "case_study", _("Case study")
        RESEARCH_SUMMARY = "research_summary", _("Research summary")
        TEMPLATE = "template", _("Template")
        RECORDING = "recording", _("Recording")
        PROGRAMME_PROFILE = "programme_profile", _("Programme profile")
        CO_PRODUCED = "co_produced", _("Co-produced resource")

    class Principle(models.TextChoices):
        ACCESS = "access", _("Access")
        CONNECTION = "connection", _("Connection")
        RELATIONSHIPS = "relationships", _("Relationships")

    class EvidenceRating(models.TextChoices):
        # Foundations' guidebook levels; strength of evidence, not size of effect.
        LEVEL_4_PLUS = "4+", _("Level 4+")
        LEVEL_4 = "4", _("Level 4")
        LEVEL_3_PLUS = "3+", _("Level 3+")
        LEVEL_3 = "3", _("Level 3")
        LEVEL_2_PLUS = "2+", _("Level 2+")
        LEVEL_2 = "2", _("Level 2")
        NL2 = "NL2", _("NL2: below level 2")
        NE = "NE", _("NE: found not effective")
        NOT_RATED = "not_rated", _("Not rated")

    class EvidenceType(models.TextChoices):
        TRIAL = "trial", _("Trial or quasi-experimental study")
        SYSTEMATIC_REVIEW = "systematic_review", _("Systematic review")
        EVALUATION = "evaluation", _("Evaluation report")
        PRACTICE = "practice", _("Practice-based evidence")
        LIVED_EXPERIENCE = "lived_experience", _("Lived experience")
        POLICY = "policy", _("Policy or statutory guidance")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        REVIEW_DUE = "review_due", _("Review due")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    summary = models.TextField(max_length=1000)
    source = models.TextField(help_text=_("The body, in Markdown."))
    # The working copy as it would publish now (body and quotes), rendered at write time.
    html = models.TextField(blank=True)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.GUIDANCE)
    principle = models.CharField(max_length=15, choices=Principle.choices, blank=True)
    topics = models.ManyToManyField("forum.Topic", blank=True, related_name="resources")
    regions = models.ManyToManyField(Region, blank=True, related_name="resources")
    is_national = models.BooleanField(_("national"), default=True)
    audiences = models.ManyToManyField(Audience, blank=True, related_name="resources")
    age_stages = models.ManyToManyField(AgeStage, blank=True, related_name="resources")
    evidence_rating = models.CharField(
        max_length=10, choices=EvidenceRating.choices, default=EvidenceRating.NOT_RATED
    )
    evidence_type = models.CharField(
        max_length=20, choices=EvidenceType.choices, default=EvidenceType.PRACTICE
    )
    tags = TaggableManager(blank=True)

    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_resources"
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="reviewing_resources"
    )
    review_round = models.PositiveIntegerField(default=0)
    source_thread = models.ForeignKey(
        "forum.Thread",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_resources",
    )
    # What readers see; null until the first publication.
    current_version = models.ForeignKey(
        "ResourceVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    review_interval_months = models.PositiveSmallIntegerField(default=12)
    next_review_at = models.DateField(null=True, blank=True)
    archived_reason = models.TextField(blank=True)
    # Denormalised, written by the rating and feedback actions.
    useful_count = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    feedback_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["state", "-published_at"], name="resource_state_newest"),
            # The library page's list and count (permissions.public_resources, newest first).
            # Its "not archived" cannot use the index above: without this one PostgreSQL read
            # every resource and every current version for each page, about 2,800 buffers a
            # request for the national set's 5,000 resources; with it, about 100.
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(current_version__isnull=False) & ~Q(state="archived"),
                name="resource_public_newest",
            ),
            models.Index(fields=["-useful_count", "-published_at"], name="resource_useful"),
            models.Index(fields=["next_review_at"], name="resource_next_review"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:resource", args=[self.pk, self.slug])

    @property
    def is_public(self) -> bool:
        """Published at least once: readers see the current version whatever the working state."""
        return self.current_version_id is not None

    @property
    def is_overdue(self) -> bool:
        return (
            self.is_public
            and self.state != self.State.ARCHIVED
            and self.next_review_at is not None
            and self.next_review_at < timezone.localdate()
        )

    # The library list shows these for each of its 20 rows. get_type_display and
    # get_evidence_rating_display build a dict of every choice on each call, hashing each
    # lazy label (a translation through the catalogue's fallbacks): 1.65 ms of CPU a list
    # page for the 40 calls, against 0.17 ms this way.
    @property
    def type_label(self) -> str:
        return _choice_label(self.Type, self.type)

    @property
    def evidence_rating_label(self) -> str:
        return _choice_label(self.EvidenceRating, self.evidence_rating)


def _choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The label of a stored choice, or the value itself for one no longer offered (as
    get_FOO_display does)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class ResourceVersion(models.Model):
    """What was published, as it was: readers see the current one, history shows the others."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField()
    source = models.TextField()
    # The quoted contributions as published: [{"id", "name", "role", "source"}].
    contributions = models.JSONField(default=list, blank=True)
    html = models.TextField(help_text=_("Sanitised HTML of the body and the quotes."))
    change_note = models.CharField(max_length=300, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["resource", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="unique_resource_version")
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("library:version", args=[self.resource_id, self.number])


class Credit(models.Model):
    """A co-producer of a resource, their role, and whether they agreed to be credited."""

    class Role(models.TextChoices):
        PRACTITIONER = "practitioner", _("Practitioner")
        COMMISSIONER = "commissioner", _("Commissioner or hub lead")
        PARENT_CARER = "parent_carer", _("Parent or carer")
        YOUNG_PERSON = "young_person", _("Young person")
        EXPERT = "expert", _("Expert")
        STAFF = "staff", _("Centre staff")

    class Consent(models.TextChoices):
        PENDING = "pending", _("Asked, no answer yet")
        GIVEN = "given", _("Agreed")
        DECLINED = "declined", _("Declined")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="credits")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_credits"
    )
    role = models.CharField(max_length=15, choices=Role.choices)
    consent = models.CharField(max_length=10, choices=Consent.choices, default=Consent.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    credit_withdrawn_at = models.DateTimeField(null=True, blank=True)
    words_withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "user"], name="unique_resource_credit")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Contribution(models.Model):
    """A post quoted in a resource, with the words as they were when it was curated."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="contributions")
    credit = models.ForeignKey(Credit, on_delete=models.CASCADE, related_name="contributions")
    post = models.ForeignKey(
        "forum.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.TextField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["resource", "position", "pk"]


class ReviewDecision(models.Model):
    """A reviewer's answer in one round of review. Never edited: a new round, a new row."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="decisions")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveIntegerField()
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]


class UsefulnessRating(models.Model):
    """One reader's answer to "was this useful?"; they may change it, never add a second."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    useful = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "user"], name="unique_resource_rating")
        ]


class Feedback(models.Model):
    """A reader's comment on a resource, for its owner and reviewers."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version_number = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]


class LogEntry(AuditEntry):
    """One workflow transition or change to a resource. Append-only (see community.audit)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="log")
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "log entries"

    def as_record(self) -> AuditRecord:
        return AuditRecord(
            log="library", when=self.created_at, actor=self.actor, action=self.action,
            reason=self.detail, before={"state": self.from_state} if self.from_state else {},
            after={"state": self.to_state} if self.to_state else {},
        )  # fmt: skip
