from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from .models import ApiKey


class ApiKeyForm(forms.Form):
    description = forms.CharField(
        label="What is the key for?",
        max_length=200,
        help_text="For example: the county's newsletter script.",
    )
    username = forms.CharField(
        label="Member it acts as (optional)",
        required=False,
        max_length=150,
        help_text="A username. Leave empty for a global key, which acts as the member its "
        "client names in the Api-Username header.",
    )
    scope = forms.ChoiceField(
        label="What may it do?",
        choices=ApiKey.Scope.choices,
        initial=ApiKey.Scope.READ,
        widget=forms.RadioSelect,
    )

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        if not name:
            return None
        member = get_user_model().objects.filter(username__iexact=name, is_active=True).first()
        if member is None:
            raise forms.ValidationError("There is no member with that username.")
        return member
