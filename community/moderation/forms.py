from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Flag, SafeguardingConcern, WatchedWord

THREAD_ACTIONS = [
    ("closed:on", "Close"),
    ("closed:off", "Reopen"),
    ("pinned:on", "Pin in its space"),
    ("pinned:global", "Pin site-wide"),
    ("pinned:off", "Unpin"),
    ("archived:on", "Archive"),
    ("archived:off", "Unarchive"),
    ("visible:off", "Unlist"),
    ("visible:on", "List again"),
]


class ThreadStatusForm(forms.Form):
    action = forms.ChoiceField(choices=THREAD_ACTIONS)
    until = forms.DateField(required=False)
    reason = forms.CharField(required=False, max_length=300)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you flagging this post?"),
        choices=Flag.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything moderators should know (optional, needed for “something else”)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(d, d) for d in ("approve", "reject", "hide", "dismiss", "delete")]
    )
    reason = forms.CharField(required=False, max_length=300)


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("silence", _("Silence (can read, cannot post)")),
            ("suspend", _("Suspend (cannot sign in)")),
        ],
    )
    until = forms.DateField(label=_("Until (date)"))
    reason = forms.CharField(label=_("Reason (the member is told)"), max_length=300)


class UserNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Private note about this member"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class TrustLevelForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Trust level"), choices=[(n, str(n)) for n in range(5)], coerce=int
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class ConcernForm(forms.Form):
    state = forms.ChoiceField(label=_("Status"), choices=SafeguardingConcern.State.choices)
    referral = forms.ChoiceField(
        label=_("Referred to"), choices=SafeguardingConcern.Referral.choices, required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class WatchedWordForm(forms.Form):
    pattern = forms.CharField(label=_("Word, phrase or regular expression"), max_length=300)
    is_regex = forms.BooleanField(label=_("This is a regular expression"), required=False)
    action = forms.ChoiceField(
        label=_("What happens to a matching post"), choices=WatchedWord.Action.choices
    )
    sample = forms.CharField(
        label=_("Test it against a sample post"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
