from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Keep the profile fields chosen at sign-up on the new member."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.display_name = data.get("display_name") or user.username
        user.role = data.get("role") or user.role
        user.age_band = data.get("age_band") or user.age_band
        user.organisation = data.get("organisation", "")
        user.home_region = data.get("home_region")
        user.local_authority = data.get("local_authority")
        if commit:
            user.save()
        return user
