from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from community.events import publish_on_commit


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
        if settings.NEW_ACCOUNTS_NEED_APPROVAL:
            user.is_active = False  # a moderator approves the account from the review queue
        if commit:
            user.save()
            publish_on_commit({"type": "account.created", "user_id": user.pk})
        return user

    def pre_login(self, request, user, **kwargs):
        if getattr(user, "is_suspended", False):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            until = date_format(localtime(user.suspended_until), "j F Y, H:i")
            messages.error(
                request,
                _("This account is suspended until %(until)s. Reason: %(reason)s")
                % {"until": until, "reason": user.suspension_reason or _("not given")},
            )
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)
