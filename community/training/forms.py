"""Forms for events and proposals. Times are entered as wall-clock times in London."""

from __future__ import annotations

from datetime import UTC, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from community.accounts.models import Region
from community.forum.models import Topic
from community.forum.uploads import prepare_upload

from .models import LONDON, Event, Feedback, Material

LONDON_HELP = _("UK time (London). For example 2026-03-29 10:00.")


def london_time(naive: datetime) -> datetime:
    """Make a wall-clock time in London aware, refusing times the clocks skip or repeat.

    At the spring change 01:00–01:59 never happens; at the autumn change it happens
    twice. Guessing either way would put people in the wrong hour, so ask again.
    """
    early = naive.replace(tzinfo=LONDON, fold=0)
    late = naive.replace(tzinfo=LONDON, fold=1)
    if early.utcoffset() != late.utcoffset():
        raise ValidationError(
            _(
                "%(time)s happens twice or not at all in the UK that day, because the clocks "
                "change. Choose a time outside 1am to 2am."
            ),
            params={"time": naive.strftime("%-d %B %Y %H:%M")},
            code="ambiguous",
        )
    # A skipped time round-trips through UTC to a different wall-clock time.
    roundtrip = early.astimezone(LONDON).replace(tzinfo=None)
    if roundtrip != naive:
        raise ValidationError(_("That time does not exist in the UK."), code="nonexistent")
    # Hand back UTC: Python subtracts two datetimes in the same zone by wall clock, which
    # would make an evening across the autumn change an hour too short.
    return early.astimezone(UTC)


class LondonDateTimeField(forms.DateTimeField):
    """A date and time typed in London time, made aware in Europe/London."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        # Parse without Django's current-time-zone conversion, then apply London ourselves.
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            naive = value.astimezone(LONDON).replace(tzinfo=None) if value.tzinfo else value
            return london_time(naive)
        text = str(value).strip()
        for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"):
            try:
                return london_time(datetime.strptime(text, fmt))
            except ValueError:
                continue
        raise ValidationError(
            _("Enter a date and time, for example 2026-03-29 10:00."), code="invalid"
        )

    def prepare_value(self, value):
        if isinstance(value, datetime) and value.tzinfo:
            return value.astimezone(LONDON).replace(tzinfo=None)
        return value


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the event covers and who it will help. Markdown works."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Practice topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.all(),
        required=False,
        empty_label=_("National (all regions)"),
        help_text=_("Only members in a region (or its group) can register for a regional event."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=Event.Format.choices)
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    address = forms.CharField(
        label=_("Address"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    online_url = forms.URLField(
        label=_("Joining link"),
        required=False,
        assume_scheme="https",
        help_text=_("For online and hybrid events. Only people with a place see it."),
    )
    starts_at = LondonDateTimeField(label=_("Starts"), help_text=LONDON_HELP)
    ends_at = LondonDateTimeField(label=_("Ends"), help_text=LONDON_HELP)
    audience = forms.ChoiceField(label=_("Who it is for"), choices=Event.Audience.choices)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=100_000)
    registration_deadline = LondonDateTimeField(
        label=_("Registration closes"),
        required=False,
        help_text=_("Optional. UK time (London). Leave empty to keep it open until the start."),
    )
    hosts = forms.CharField(
        label=_("Hosts and speakers"),
        max_length=300,
        required=False,
        help_text=_("Names and roles, separated by commas."),
    )

    @classmethod
    def initial_for(cls, event: Event) -> dict:
        return {
            "title": event.title,
            "description": event.description,
            "topics": list(event.topics.all()),
            "region": event.region_id,
            "format": event.format,
            "venue": event.venue,
            "address": event.address,
            "online_url": event.online_url,
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "audience": event.audience,
            "capacity": event.capacity,
            "registration_deadline": event.registration_deadline,
            "hosts": event.hosts,
        }

    def details(self):
        from .actions import EventDetails

        data = self.cleaned_data
        return EventDetails(
            title=data["title"],
            description=data["description"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            capacity=data["capacity"],
            format=data["format"],
            region=data["region"],
            venue=data["venue"],
            address=data["address"],
            online_url=data["online_url"],
            audience=data["audience"],
            registration_deadline=data["registration_deadline"],
            hosts=data["hosts"],
            topics=tuple(data["topics"]),
        )


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the event cancelled?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Everyone registered or waiting is told, with this reason."),
    )


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))
    include_waitlist = forms.BooleanField(
        label=_("Also send it to people on the waitlist"), required=False
    )


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it?"), choices=Material.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    url = forms.URLField(
        label=_("Link"),
        required=False,
        assume_scheme="https",
        help_text=_("A link to the recording or slides, or upload a file below."),
    )
    file = forms.FileField(
        label=_("File"), required=False, help_text=_("A PDF or an image, up to 8 MB.")
    )
    resource = forms.ModelChoiceField(
        label=_("Or a resource from the library"),
        queryset=None,
        required=False,
        empty_label=_("None"),
        help_text=_("Published resources only: they stay under the library's review schedule."),
    )

    def __init__(self, *args, **kwargs):
        from community.library.models import Resource

        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(
            state=Resource.State.PUBLISHED
        ).order_by("title")
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the library resource's title.")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        return prepare_upload(upload) if upload else None

    def clean(self):
        data = super().clean()
        given = sum(map(bool, (data.get("url"), data.get("file"), data.get("resource"))))
        if not self.errors and given != 1:
            raise ValidationError(_("Give one of: a link, a file, or a library resource."))
        return data


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Overall, how was the event?"),
        choices=Feedback.Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    most_useful = forms.CharField(
        label=_("What was most useful for your work?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
    improve = forms.CharField(
        label=_("What could we do better?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )


class ProposalForm(forms.Form):
    title = forms.CharField(
        label=_("What training would help your hub?"),
        max_length=200,
        help_text=_("A short title, for example: Running antenatal groups with midwives"),
    )
    description = forms.CharField(
        label=_("Why would it help?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you want to learn and what difference it would make. No case details."),
        max_length=4000,
    )
    topic = forms.ModelChoiceField(
        label=_("Practice topic"),
        queryset=Topic.objects.all(),
        required=False,
        empty_label=_("Choose a topic (optional)"),
    )
