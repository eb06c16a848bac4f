from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from community.events import publish_on_commit

from .permissions import can_use_network


class AccountAdapter(DefaultAccountAdapter):
    """Keep the profile fields chosen at sign-up on the new member."""

    # One answer for every username already held, an adult's or a hidden child's, so sign-up
    # never confirms that a child's account exists (their profile is a 404 to others).
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_taken": _lazy("That username is not available. Please choose another."),
    }

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
        # Inactive accounts take allauth's own "account inactive" way; suspended ones stop here.
        if user.is_active and not can_use_network(user):
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
