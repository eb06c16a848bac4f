from __future__ import annotations

from django import forms

from .models import Level, Preferences, Subscription


class LevelForm(forms.Form):
    target = forms.ChoiceField(choices=Subscription.Target.choices)
    target_id = forms.IntegerField(min_value=1)
    level = forms.TypedChoiceField(choices=Level.choices, coerce=int)
    next = forms.CharField(required=False)


class PreferencesForm(forms.Form):
    email_when_away = forms.BooleanField(
        label="Email me mentions and replies when I am not online", required=False
    )
    digest = forms.ChoiceField(
        label="Summary email", choices=Preferences.Digest.choices, widget=forms.RadioSelect
    )
