from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.accounts.models import LocalAuthority, Region
from community.forum.models import Topic

from .models import (
    AvailabilitySlot,
    ConsultationRequest,
    ContactMethod,
    SatisfactionSurvey,
    Stage,
    Theme,
    Urgency,
)

QUESTION_HELP = _(
    "What would you like help with? Markdown works. Do not include the names or personal "
    "details of families or children."
)


class _RequestFields(forms.Form):
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), empty_label=_("Choose a region")
    )
    local_authority = forms.ModelChoiceField(
        label=_("Local authority"),
        queryset=LocalAuthority.objects.all(),
        required=False,
        empty_label=_("Not tied to one local authority"),
    )
    stage = forms.ChoiceField(
        label=_("Where are you with your family hub?"),
        choices=Stage.choices,
        widget=forms.RadioSelect,
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose every practice area your question touches."),
    )
    question = forms.CharField(
        label=_("Your question"),
        widget=forms.Textarea(attrs={"rows": 8}),
        min_length=20,
        max_length=8000,
        help_text=QUESTION_HELP,
    )
    urgency = forms.ChoiceField(
        label=_("How soon do you need help?"), choices=Urgency.choices, widget=forms.RadioSelect
    )

    def clean(self):
        data = super().clean()
        la, region = data.get("local_authority"), data.get("region")
        if la and region and la.region_id != region.pk:
            self.add_error(
                "local_authority",
                _("%(la)s is not in %(region)s: choose its region or another authority.")
                % {"la": la.name, "region": region.name},
            )
        return data


class RequestForm(_RequestFields):
    """The full request, for signed-in members."""

    preferred_contact = forms.ChoiceField(
        label=_("How would you like us to contact you?"),
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        initial=ContactMethod.EMAIL,
    )
    contact_phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("Only if you would like a phone or video call."),
    )
    preferred_times = forms.CharField(
        label=_("Good times to reach you"),
        max_length=200,
        required=False,
        help_text=_("For example: Tuesday and Thursday mornings."),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("preferred_contact") == ContactMethod.PHONE
            and not data.get("contact_phone", "").strip()
        ):
            self.add_error("contact_phone", _("Give a phone number so we can call you."))
        return data


class VisitorRequestForm(_RequestFields):
    """The short request for visitors: it also makes them an account invitation."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send your reference and an invitation to follow your request here."),
    )
    age_band = forms.ChoiceField(
        label=_("Your age"),
        choices=[
            ("", _("Choose")),
            (get_user_model().AgeBand.AGE_18_25, _("18 to 25")),
            (get_user_model().AgeBand.AGE_26_PLUS, _("26 or over")),
        ],
        help_text=_("SupportLine is for adults working with or for family hubs."),
    )

    field_order = ["display_name", "email", "age_band"]


class MessageForm(forms.Form):
    source = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=8000,
        help_text=QUESTION_HELP,
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the audit trail (optional)"), required=False, max_length=500
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, shown to the requester"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome, shown to the requester"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class AssignForm(forms.Form):
    expert = forms.ModelChoiceField(
        label=_("Expert"), queryset=get_user_model().objects.none(), empty_label=_("Choose")
    )

    def __init__(self, *args, experts=(), **kwargs):
        super().__init__(*args, **kwargs)
        ids = [p.user_id for p in experts]
        self.fields["expert"].queryset = get_user_model().objects.filter(pk__in=ids)
        self.fields["expert"].choices = [("", _("Choose"))] + [
            (p.user_id, f"{p.user.display_name} ({p.matching})") for p in experts
        ]


class BookForm(forms.Form):
    slot = forms.ModelChoiceField(
        label=_("Choose a time"),
        queryset=AvailabilitySlot.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = AvailabilitySlot.objects.filter(pk__in=[s.pk for s in slots])
        self.fields["slot"].choices = [
            (s.pk, timezone.localtime(s.starts_at).strftime("%A %-d %B %Y, %H:%M")) for s in slots
        ]


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How would you rate the support you had?"),
        choices=SatisfactionSurvey.Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    would_recommend = forms.TypedChoiceField(
        label=_("Would you recommend SupportLine to a colleague?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=_("Anything else you would like to tell us? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    minutes = forms.TypedChoiceField(
        label=_("Length"),
        choices=[
            (30, _("30 minutes")),
            (45, _("45 minutes")),
            (60, _("1 hour")),
            (90, _("1.5 hours")),
        ],
        coerce=int,
        initial=60,
    )

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        if value <= timezone.now():
            raise ValidationError(_("Offer a time in the future."))
        return value


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["title", "summary", "topics", "stage", "case_count", "suggested_use"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "topics": forms.CheckboxSelectMultiple,
        }
        labels = {"suggested_use": _("Could seed"), "case_count": _("Closed cases it draws on")}
        help_texts = {
            "summary": _(
                "What providers keep asking and what helped. No names, organisations, "
                "places, references or contact details."
            )
        }


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All open")), ("all", _("All"))] + list(ConsultationRequest.Status.choices),
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, empty_label=_("Any")
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        required=False,
        empty_label=_("Any"),
        to_field_name="slug",
    )
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("Any"))] + Stage.choices, required=False
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=[("", _("Any"))] + Urgency.choices, required=False
    )
