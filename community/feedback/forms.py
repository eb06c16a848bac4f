from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from community.accounts.models import LocalAuthority, Region
from community.forum.models import Space, Topic

from .models import FeedbackResponse


class TellUsForm(forms.Form):
    """Short and plain: readable by an 11-year-old, nothing required but one answer."""

    who = forms.ChoiceField(
        label=_("I am"), choices=FeedbackResponse.Who.choices, widget=forms.RadioSelect
    )
    need = forms.CharField(
        label=_("What do you need from your family hub?"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    worked = forms.CharField(
        label=_("What has worked well for you?"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    not_worked = forms.CharField(
        label=_("What has not worked well?"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    region = forms.ModelChoiceField(
        label=_("Which part of England do you live in? (optional)"), required=False,
        queryset=Region.objects.all(), empty_label=_("I would rather not say"),
    )  # fmt: skip
    local_authority = forms.ModelChoiceField(
        label=_("Which council area? (optional)"), required=False,
        queryset=LocalAuthority.objects.all(), empty_label=_("I would rather not say"),
    )  # fmt: skip
    topic = forms.ModelChoiceField(
        label=_("What is it about? (optional)"), required=False, queryset=Topic.objects.all(),
        empty_label=_("Something else"),
    )  # fmt: skip
    credit_consent = forms.BooleanField(
        label=_("You can show my name next to my words when you share them"), required=False,
        help_text=_("If you leave this empty, we share your words without your name."),
    )  # fmt: skip
    credit_name = forms.CharField(
        label=_("Name to show (optional)"), required=False, max_length=80,
        help_text=_("A first name or a made-up name is fine."),
    )  # fmt: skip
    # A honeypot, as on the visitor report form: hidden from people and screen readers.
    website = forms.CharField(
        label=_("Leave this empty"), required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )  # fmt: skip


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (FeedbackResponse.Status.REVIEWED, _("Reviewed: can be shared")),
            (FeedbackResponse.Status.HELD, _("Held: may contain personal details")),
            (FeedbackResponse.Status.ARCHIVED, _("Archived")),
        ],
    )
    practice_topics = forms.ModelMultipleChoiceField(
        label=_("Practice topics"), required=False, queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip


class DiscussionForm(forms.Form):
    title = forms.CharField(label=_("Thread title"), max_length=200)
    space = forms.ModelChoiceField(label=_("Space"), queryset=Space.objects.none())
    topic = forms.ModelChoiceField(label=_("Practice topic"), queryset=Topic.objects.all())
    intro = forms.CharField(
        label=_("Your introduction"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip

    def __init__(self, *args, spaces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = Space.objects.filter(pk__in=[s.pk for s in spaces])
