"""Signal and event receivers: thin, each hands over to an action or a task."""

from __future__ import annotations

from . import actions, tasks


def verify_by_email_domain(sender, request, email_address, **kwargs) -> None:
    actions.verify_by_email_domain(user=email_address.user, email=email_address.email)


def start_export(event: dict) -> None:
    """A member asked for their data: build it in the background, after the request commits."""
    if event.get("type") == "privacy.export_requested":
        tasks.build_export.enqueue(event["export_id"])
