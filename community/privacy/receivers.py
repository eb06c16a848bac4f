"""Signal receivers: thin, each hands over to an action (the logic lives there)."""

from __future__ import annotations


def verify_by_email_domain(sender, request, email_address, **kwargs) -> None:
    from . import actions

    actions.verify_by_email_domain(user=email_address.user, email=email_address.email)
