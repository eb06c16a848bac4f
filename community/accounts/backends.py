from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend

from .membercache import cached_member


class CachedMemberMixin:
    """Load the signed-in member of each request from the shared cache (see membercache)."""

    def get_user(self, user_id):
        user = cached_member(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class MemberBackend(CachedMemberMixin, ModelBackend):
    """Suspended members cannot sign in until their suspension ends."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "is_suspended", False)


class MemberAllauthBackend(CachedMemberMixin, AuthenticationBackend):
    """allauth's backend; suspended members are turned away with a reason by the adapter."""
