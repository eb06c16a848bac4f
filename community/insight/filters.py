"""The dashboard's filters: a GET form that works without JavaScript, and what it means."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.accounts.models import LocalAuthority, Region, User
from community.forum.models import Topic

DEFAULT_DAYS = 90
LONGEST_PERIOD_DAYS = 366 * 5


@dataclass(frozen=True)
class Filters:
    """What the figures are for. `end` is inclusive (the whole day, in UK time)."""

    start: date
    end: date
    region: Region | None = None
    local_authority: LocalAuthority | None = None
    role: str = ""
    topic: Topic | None = None
    # Aggregates several measures share, computed once per page (see measures._post_counts).
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_before(self) -> datetime:
        """The first moment after the period."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def set_names(self) -> list[str]:
        """The filters narrowing the figures beyond the period (which always applies)."""
        names = ["period"]
        names += ["region"] if self.region is not None else []
        names += ["local_authority"] if self.local_authority is not None else []
        names += ["role"] if self.role else []
        names += ["topic"] if self.topic is not None else []
        return names

    @property
    def role_label(self) -> str:
        return str(User.Role(self.role).label) if self.role else ""

    def describe(self) -> list[tuple[str, str]]:
        """The filters in words, for the page, the printed report and the CSV pack."""
        rows = [(str(_("Period")), f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}")]
        rows.append((str(_("Region")), self.region.name if self.region else str(_("All"))))
        rows.append(
            (
                str(_("Local authority")),
                self.local_authority.name if self.local_authority else str(_("All")),
            )
        )
        rows.append((str(_("Role")), self.role_label or str(_("All"))))
        rows.append((str(_("Practice topic")), self.topic.name if self.topic else str(_("All"))))
        return rows

    # Filters as Q objects over a path to a member (author, requester, proposer...).
    def in_period(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start_at, f"{field}__lt": self.end_before})

    def member_place(self, member: str) -> Q:
        q = Q()
        if self.region is not None:
            q &= Q(**{f"{member}__home_region": self.region})
        if self.local_authority is not None:
            q &= Q(**{f"{member}__local_authority": self.local_authority})
        return q

    def member_role(self, member: str) -> Q:
        return Q(**{f"{member}__role": self.role}) if self.role else Q()

    def topic_is(self, field: str) -> Q:
        return Q(**{field: self.topic}) if self.topic is not None else Q()


def quarter_bounds(label: str) -> tuple[date, date]:
    """'2026-Q3' -> (1 July 2026, 30 September 2026)."""
    year, q = label.split("-Q")
    year_n, q_n = int(year), int(q)
    if not 1 <= q_n <= 4:
        raise ValueError(label)
    start = date(year_n, 3 * q_n - 2, 1)
    end_month = 3 * q_n
    next_start = date(year_n + (end_month == 12), end_month % 12 + 1, 1)
    return start, next_start - timedelta(days=1)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def recent_quarters(today: date, count: int = 8) -> list[str]:
    """The current quarter and the ones before it, newest first."""
    labels = []
    year, q = today.year, (today.month - 1) // 3 + 1
    for _i in range(count):
        labels.append(f"{year}-Q{q}")
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return labels


def last_complete_quarter(today: date) -> str:
    return recent_quarters(today, 2)[1]


class FilterForm(forms.Form):
    quarter = forms.ChoiceField(
        label=_("Quarter"),
        required=False,
        help_text=_("Choose a quarter, or leave this and give the dates below."),
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, empty_label=_("All")
    )
    local_authority = forms.ModelChoiceField(
        label=_("Local authority"),
        queryset=LocalAuthority.objects.all(),
        required=False,
        empty_label=_("All"),
        help_text=_("Young people's figures are not shown by local authority."),
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    topic = forms.ModelChoiceField(
        label=_("Practice topic"),
        queryset=Topic.objects.all(),
        required=False,
        empty_label=_("All"),
    )

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["quarter"].choices = [("", _("No quarter: use the dates"))] + [
            (label, label.replace("-", " ")) for label in recent_quarters(self.today)
        ]
        self.fields["role"].choices = [("", _("All"))] + list(User.Role.choices)

    def clean(self):
        data = super().clean()
        if data.get("quarter"):
            data["start"], data["end"] = quarter_bounds(data["quarter"])
        start = data.get("start") or self.today - timedelta(days=DEFAULT_DAYS - 1)
        end = data.get("end") or self.today
        if end < start:
            raise ValidationError({"end": _("The end date must be on or after the start date.")})
        if (end - start).days > LONGEST_PERIOD_DAYS:
            raise ValidationError({"start": _("Choose a period of five years or less.")})
        data["start"], data["end"] = start, end
        region, la = data.get("region"), data.get("local_authority")
        if region is not None and la is not None and la.region_id != region.pk:
            raise ValidationError(
                {"local_authority": _("That local authority is not in the region chosen.")}
            )
        if la is not None and data.get("role") == User.Role.YOUNG_PERSON:
            raise ValidationError(
                {
                    "local_authority": _(
                        "Young people's figures go no finer than region: choose a region "
                        "instead of a local authority."
                    )
                }
            )
        return data

    def filters(self) -> Filters:
        """The filters asked for, or the defaults (the last 90 days, everything) when the form
        is not valid: the page then shows the errors beside the default figures."""
        if self.is_bound and self.is_valid():
            d = self.cleaned_data
            return Filters(
                start=d["start"],
                end=d["end"],
                region=d.get("region"),
                local_authority=d.get("local_authority"),
                role=d.get("role") or "",
                topic=d.get("topic"),
            )
        return Filters(start=self.today - timedelta(days=DEFAULT_DAYS - 1), end=self.today)
