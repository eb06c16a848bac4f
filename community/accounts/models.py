"""Members, their roles, and the places they work in (regions and local authorities)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    ons_code = models.CharField(max_length=9, unique=True)
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LocalAuthority(models.Model):
    class Cohort(models.TextChoices):
        TRAILBLAZER = "trailblazer", _("Trailblazer")
        FAMILY_HUBS_75 = "family_hubs_75", _("Family hubs (75 LAs)")
        TRANSFORMATION_FUND = "transformation_fund", _("Transformation fund")

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="local_authorities")
    programme_cohort = models.CharField(max_length=30, choices=Cohort.choices, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        PRACTITIONER = "practitioner", _("Practitioner")
        COMMISSIONER = "commissioner", _("Commissioner or hub lead")
        PARENT_CARER = "parent_carer", _("Parent or carer")
        YOUNG_PERSON = "young_person", _("Young person")
        MODERATOR = "moderator", _("Moderator")
        STAFF = "staff", _("Centre staff")
        EXPERT = "expert", _("Expert")

    class AgeBand(models.TextChoices):
        AGE_13_15 = "13-15", _("13 to 15")
        AGE_16_17 = "16-17", _("16 to 17")
        AGE_18_25 = "18-25", _("18 to 25")
        AGE_26_PLUS = "26+", _("26 or over")

    MINOR_AGE_BANDS = frozenset({AgeBand.AGE_13_15, AgeBand.AGE_16_17})
    PROFESSIONAL_ROLES = frozenset({Role.PRACTITIONER, Role.COMMISSIONER, Role.EXPERT})
    MODERATING_ROLES = frozenset({Role.MODERATOR, Role.STAFF})

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        help_text=_(
            "Shown beside your posts. Parents, carers and young people may use a pseudonym."
        ),
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    organisation = models.CharField(max_length=150, blank=True)
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    home_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    age_band = models.CharField(max_length=5, choices=AgeBand.choices, default=AgeBand.AGE_26_PLUS)
    is_verified = models.BooleanField(
        _("verified professional"),
        default=False,
        help_text=_("Set when the member's professional role has been checked."),
    )
    is_safeguarding_lead = models.BooleanField(
        _("designated safeguarding lead or deputy"),
        default=False,
        help_text=_("Receives safeguarding concerns and sees their records."),
    )
    trust_level = models.PositiveSmallIntegerField(
        default=0, choices=[(n, str(n)) for n in range(5)]
    )
    trust_level_locked = models.BooleanField(
        default=False, help_text=_("Set by hand by staff: not changed by activity.")
    )
    silenced_until = models.DateTimeField(null=True, blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=300, blank=True)
    # Bumped to end every session (and socket) of the member at once, e.g. on suspension.
    session_epoch = models.PositiveIntegerField(default=0)
    # A photo an adult chose, re-encoded without metadata (accounts/avatars.py); members under
    # 18 always show their initials, whatever is stored here.
    avatar = models.FileField(upload_to="avatars/", blank=True, max_length=200)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    class Meta:
        ordering = ["username"]
        indexes = [
            # Search's @username and mentions match usernames whatever their case.
            models.Index(Upper("username"), name="user_username_upper"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("forum:user_activity", args=[self.username])

    @property
    def is_minor(self) -> bool:
        return self.age_band in self.MINOR_AGE_BANDS

    @property
    def is_moderator(self) -> bool:
        """Moderators, centre staff and superusers moderate every space."""
        return self.is_superuser or self.role in self.MODERATING_ROLES

    @property
    def is_centre_staff(self) -> bool:
        return self.is_superuser or self.role == self.Role.STAFF

    @property
    def is_silenced(self) -> bool:
        from django.utils import timezone

        return self.silenced_until is not None and self.silenced_until > timezone.now()

    @property
    def is_suspended(self) -> bool:
        from django.utils import timezone

        return self.suspended_until is not None and self.suspended_until > timezone.now()

    def get_session_auth_hash(self) -> str:
        """Sessions stay valid only while the password and the session epoch are unchanged."""
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "community.accounts.session",
            f"{self.password}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_verified_professional(self) -> bool:
        return self.is_verified and self.role in self.PROFESSIONAL_ROLES


def display_name_of(user: User) -> str:
    return user.display_name or user.username
