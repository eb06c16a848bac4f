from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend


class MemberBackend(ModelBackend):
    """Suspended members cannot sign in until their suspension ends."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "is_suspended", False)


class MemberAllauthBackend(AuthenticationBackend):
    """allauth's backend; suspended members are turned away with a reason by the adapter."""
