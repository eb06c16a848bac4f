from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend

from .permissions import can_use_network


class MemberBackend(ModelBackend):
    """Suspended members cannot sign in, nor keep a session, until their suspension ends."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and can_use_network(user)


class MemberAllauthBackend(AuthenticationBackend):
    """allauth's backend: a suspended member's existing session ends on their next request.

    Signing in itself still finds the account, so that the adapter can turn a suspended member
    away with the reason and the end date rather than "wrong password".
    """

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and can_use_network(user) else None
