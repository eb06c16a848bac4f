from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from community.forum.models import Space

from .models import EventGroup


class WebhookForm(forms.Form):
    payload_url = forms.URLField(
        label=_("Payload URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where we send each event as JSON. Only public addresses are allowed."),
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        max_length=200,
        help_text=_(
            "Used to sign every delivery (X-Discourse-Event-Signature). Leave empty to "
            "generate one, or, when editing, to keep the current one."
        ),  # fmt: skip
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    event_groups = forms.MultipleChoiceField(
        label=_("Events to send"), choices=EventGroup.choices, widget=forms.CheckboxSelectMultiple
    )
    owner = forms.CharField(
        label=_("Sees as (username)"),
        max_length=150,
        help_text=_("Deliveries carry only what this member may see. Usually you."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    spaces = forms.ModelMultipleChoiceField(
        label=_("Only these spaces"),
        queryset=Space.objects.order_by("position", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For topic, post and flag events. None chosen means every space."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_owner(self):
        username = self.cleaned_data["owner"].strip()
        member = get_user_model().objects.filter(username__iexact=username).first()
        if member is None:
            raise forms.ValidationError(_("There is no member with that username."))
        return member
