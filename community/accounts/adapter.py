from __future__ import annotations

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from community.events import publish_on_commit

from .models import User
from .permissions import can_use_network

logger = logging.getLogger(__name__)

ADULT_AGE_BANDS = frozenset({User.AgeBand.AGE_18_25, User.AgeBand.AGE_26_PLUS})


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
        refused = self.refuse_password_sign_in(request, user, **kwargs)
        if refused is not None:
            return refused
        return super().pre_login(request, user, **kwargs)

    # Organisation sign-in (community/accounts/sso): kept apart from the checks above.

    def refuse_password_sign_in(self, request, user, **kwargs):
        """Send members of a provider that disallows passwords back to their provider."""
        if (kwargs.get("signal_kwargs") or {}).get("sociallogin") is not None:
            return None  # signing in through a provider, not with a password
        from .sso.policy import password_refusing_provider

        name = password_refusing_provider(request, user)
        if name is None:
            return None
        from allauth.account.internal.stagekit import clear_login

        clear_login(request)
        messages.error(
            request,
            _("Please sign in with your %(provider)s account: passwords are not used for it.")
            % {"provider": name},
        )
        return redirect("account_login")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Apply each organisation provider's policy (community/accounts/sso/policy.py): which
    emails it may claim, who it may sign up (adults only, in a professional role), and never
    linking to an existing member on the provider's word alone."""

    def pre_social_login(self, request, sociallogin):
        provider = sociallogin.account.get_provider(request)
        if provider.id != "organisation":
            return
        from .sso.policy import policy_for

        policy = policy_for(provider.app)
        email = self.verified_claimed_email(sociallogin)
        if email is None:
            self.refuse(
                request,
                _(
                    "%(provider)s did not confirm your email address, so we cannot sign you in "
                    "with it. Sign in with your email address and password instead."
                )
                % {"provider": provider.name},
            )
        if not policy.allows_email(email):
            self.refuse(
                request,
                _(
                    "%(provider)s cannot sign in people with an address at %(domain)s here. "
                    "Sign in with your email address and password instead."
                )
                % {"provider": provider.name, "domain": email.rpartition("@")[2]},
            )
        if sociallogin.state.get("process") == "connect":
            if request.user.is_authenticated and request.user.is_minor:
                self.refuse(request, _("Organisation accounts are for adults."))
            return
        if sociallogin.is_existing:
            return
        if self.member_with_email_exists(email):
            # No takeover: the provider's word is not proof. The member proves the address by
            # signing in (or resetting their password by email), then connects from preferences.
            self.refuse(
                request,
                _(
                    "There is already a member with the email address %(email)s. Sign in with "
                    "your password first (or reset it by email), then connect your "
                    "%(provider)s account from your preferences."
                )
                % {"email": email, "provider": provider.name},
                status=409,
            )

    def verified_claimed_email(self, sociallogin) -> str | None:
        """The address the provider vouches for (email_verified exactly true), or None."""
        data = sociallogin.account.extra_data or {}
        claims = data.get("userinfo") or data.get("id_token") or {}
        email = claims.get("email")
        # Some providers send "false" as a string: only a real true (or "true") counts.
        if not isinstance(email, str) or claims.get("email_verified") not in (True, "true"):
            return None
        return email.strip().lower() or None

    def member_with_email_exists(self, email: str) -> bool:
        from allauth.account.models import EmailAddress

        from .models import User

        return (
            User.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email).exists()
        )

    def refuse(self, request, reason: str, status: int = 403):
        from allauth.core.exceptions import ImmediateHttpResponse

        raise ImmediateHttpResponse(
            render(request, "socialaccount/refused.html", {"reason": reason}, status=status)
        )

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        # Operators need to know why an organisation sign-in failed (a bad signature, a wrong
        # audience or nonce); the member only sees that it did.
        logger.warning(
            "organisation sign-in through %s failed: %s: %s",
            getattr(provider, "name", provider),
            error,
            f"{exception}; {exception.__cause__}" if exception else "",
        )
        return super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return False  # always ask for an age band and a display name first

    def save_user(self, request, sociallogin, form=None):
        """Give the new member the provider's role and mark; never a minor's account."""
        provider = sociallogin.account.get_provider(request)
        if provider.id == "organisation":
            from .sso.policy import policy_for

            policy = policy_for(provider.app)
            if form is None or form.cleaned_data.get("age_band") not in ADULT_AGE_BANDS:
                self.refuse(request, _("Organisation accounts are for adults."))
            sociallogin.user.role = policy.role
            sociallogin.user.is_verified = policy.verified
        return super().save_user(request, sociallogin, form)
