from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from community.moderation.models import Flag

from .actions import MESSAGE_MAX_LENGTH, SUBJECT_MAX_LENGTH

MESSAGE_HELP = _(
    "Markdown works. Do not share the names or personal details of families or children. "
    "Moderators do not read private messages unless one is reported to them."
)


class NewConversationForm(forms.Form):
    to = forms.CharField(
        label=_("To"),
        max_length=500,
        help_text=_("The username on their profile, such as asha. Separate several with commas."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX_LENGTH)
    source = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MESSAGE_HELP,
    )


class ReplyForm(forms.Form):
    source = forms.CharField(
        label=_("Your reply"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MESSAGE_HELP,
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you reporting this message?"),
        choices=Flag.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything moderators should know (optional, needed for “something else”)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
