"""Test data for training: events are made through the actions, as staff would."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from community.accounts.models import Region
from community.training import actions
from community.training.models import LONDON, Event
from tests.factories import make_user


def make_staff(**fields):
    return make_user(role="staff", **fields)


def make_event(
    *,
    staff=None,
    starts_at: datetime | None = None,
    hours: float = 2,
    capacity: int = 10,
    region: Region | None = None,
    **fields,
) -> Event:
    staff = staff or make_staff()
    starts_at = starts_at or timezone.now() + timedelta(days=7)
    details = actions.EventDetails(
        title=fields.pop("title", "Family hubs in practice"),
        description=fields.pop("description", "How local areas join up services for families."),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=capacity,
        region=region,
        **fields,
    )
    return actions.create_event(actor=staff, details=details)


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)
