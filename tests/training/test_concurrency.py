"""Parallel registrations on PostgreSQL never overbook: the event row is locked."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection, connections

from community.training import actions
from community.training.models import Event, Registration
from tests.conftest import require_service
from tests.factories import make_user

from .builders import make_event

CAPACITY = 3
MEMBERS = 12


@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_fill_the_places_and_queue_the_rest(request):
    require_service(
        "PostgreSQL (DATABASE_URL)",
        os.environ.get("DATABASE_URL", "").startswith("postgres")
        and connection.vendor == "postgresql",
    )
    request.getfixturevalue("network")  # a transactional database with the regions and spaces
    event = make_event(capacity=CAPACITY)
    members = [make_user() for _ in range(MEMBERS)]
    start = threading.Barrier(MEMBERS)
    errors: list[BaseException] = []

    def register(member) -> None:
        try:
            start.wait(timeout=10)
            actions.register_for_event(user=member, event=event)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    event = Event.objects.get(pk=event.pk)
    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses.count(Registration.Status.CONFIRMED) == CAPACITY
    assert statuses.count(Registration.Status.WAITLISTED) == MEMBERS - CAPACITY
    assert (event.confirmed_count, event.waitlist_count) == (CAPACITY, MEMBERS - CAPACITY)
