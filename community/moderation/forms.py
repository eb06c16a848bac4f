from __future__ import annotations

from django import forms

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
