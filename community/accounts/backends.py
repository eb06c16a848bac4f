"""How members sign in: every password attempt, through any form, passes these backends.

Django's `authenticate()` tries the backends in order and stops at the first that accepts.
So the first one (`MemberBackend`) refuses every attempt while too many recent ones failed,
with the wait, and the last one (`SignInFailures`) is reached only when every backend turned
the password down, and counts the failure. The members' sign-in form, the admin's and any
other way that checks a password (`community.ratelimits` being the one limiter) share one
failure counter per account and per address.
"""

from __future__ import annotations

import hashlib

from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.utils.translation import gettext_lazy as _

from community import ratelimits

from .membercache import cached_member
from .permissions import can_use_network
from .sessions import take_prefetched_member

SIGN_IN_WINDOW = 300
REFUSED = _(
    "Too many attempts to sign in. To keep the account safe, please wait %(wait)s and try again."
)


def _sign_in_keys(request, credentials: dict) -> list[tuple[str, str, int]]:
    login = (credentials.get("email") or credentials.get("username") or "").strip().lower()
    account = hashlib.sha256(f"{settings.SECRET_KEY}:{login}".encode()).hexdigest()[:32]
    return [
        ("sign-in-account", account, settings.SIGN_IN_FAILURES_PER_ACCOUNT),
        ("sign-in-address", ratelimits.address_key(request), settings.SIGN_IN_FAILURES_PER_ADDRESS),
    ]


def refuse_if_too_many_failures(request, credentials: dict) -> None:
    """Raise `RateLimited` (shown on the sign-in form, answered 429) after too many failures."""
    wait = max(
        ratelimits.blocked_for(scope, key, limit=limit, window=SIGN_IN_WINDOW)
        for scope, key, limit in _sign_in_keys(request, credentials)
    )
    if wait:
        raise ratelimits.refusal(REFUSED, wait)


class CachedMemberMixin:
    """Load the signed-in member of each request from the shared cache (see membercache)."""

    def get_user(self, user_id):
        # Read with the session when the session engine could (accounts/sessions.py).
        user = take_prefetched_member(user_id) or cached_member(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class MemberBackend(CachedMemberMixin, ModelBackend):
    """Suspended members cannot sign in, nor keep a session, until their suspension ends."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is not None:
            refuse_if_too_many_failures(request, {"username": username, **kwargs})
        return super().authenticate(request, username=username, password=password, **kwargs)

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and can_use_network(user)


class MemberAllauthBackend(CachedMemberMixin, AuthenticationBackend):
    """allauth's backend: a suspended member cannot sign in or keep a session either.

    allauth keeps the refused account aside, so the adapter still turns a suspended member away
    with the reason and the end date rather than "wrong password".
    """

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and can_use_network(user)


class SignInFailures(BaseBackend):
    """Last of the backends: reached only when every other refused the password."""

    def authenticate(self, request, **credentials):
        if credentials.get("password") is not None:
            for scope, key, limit in _sign_in_keys(request, credentials):
                ratelimits.hit(scope, key, limit=limit, window=SIGN_IN_WINDOW)
        return None
