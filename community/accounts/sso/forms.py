from __future__ import annotations

from allauth.socialaccount.forms import SignupForm as SocialSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import User
from .policy import policy_for


class OrganisationSignupForm(SocialSignupForm):
    """Sign-up through an organisation provider: adults only, the role set by the provider."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("role", None)
        self.fields["age_band"].help_text = _(
            "Signing in with an organisation account is for adults. If you are under 18, "
            "please sign up with your email address instead."
        )

    def clean_age_band(self) -> str:
        band = super().clean_age_band()
        if band in User.MINOR_AGE_BANDS:
            raise forms.ValidationError(
                _(
                    "Signing in with an organisation account is for adults. If you are under "
                    "18, please sign up with your email address instead."
                )
            )
        return band

    def clean_email(self) -> str:
        email = super().clean_email()
        app = self.sociallogin.account.get_provider().app
        if email and not policy_for(app).allows_email(email):
            raise forms.ValidationError(
                _("This organisation account cannot be used with that email address.")
            )
        return email
