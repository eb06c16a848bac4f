from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import VISITOR_REASONS


class VisitorReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this post?"),
        choices=[(k, label) for k, (label, _p) in VISITOR_REASONS.items()],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Tell us more (optional, needed for “something else”)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # A honeypot: hidden from people (and from screen readers), filled in by spam robots.
    # No puzzle to solve, so no cognitive test (WCAG 2.2, 3.3.8).
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=_("Why should the decision be changed?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A different moderator from the one who decided will read this."),
    )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            ("uphold", _("Uphold: the decision stands")),
            ("overturn", _("Overturn: put the post back")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason, as the member will read it"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data will be deleted"),
    )


class StatementReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label=_("Date of the review"),
        help_text=_("For example, 27 3 2025 as 2025-03-27."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("What was checked (optional)"), max_length=300, required=False)


class VerifyForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    verified = forms.TypedChoiceField(
        label=_("Verified professional"),
        choices=[("1", _("Verified")), ("0", _("Not verified"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("How it was checked"), max_length=300, required=False)
