"""Registering, the waitlist and its promotion in order, and what members are told."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from community.training import actions
from community.training.models import Event, Registration
from notifications.models import Notification
from tests.factories import make_user

from .builders import make_event, make_staff

pytestmark = pytest.mark.django_db


def _status(event, user) -> str:
    return Registration.objects.get(event=event, user=user).status


def test_register_takes_a_place_and_tells_the_member(committed):
    event = make_event(capacity=2)
    member = make_user()

    with committed():
        registration = actions.register_for_event(user=member, event=event)

    event.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert event.confirmed_count == 1
    note = Notification.objects.get(user=member)
    assert note.kind == "event_registered"
    assert note.data["url"] == event.get_absolute_url()
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "You have a place" in mail.outbox[0].subject


def test_full_event_puts_later_members_on_the_waitlist():
    event = make_event(capacity=1)
    first, second = make_user(), make_user()

    actions.register_for_event(user=first, event=event)
    registration = actions.register_for_event(user=second, event=event)

    event.refresh_from_db()
    assert registration.status == Registration.Status.WAITLISTED
    assert (event.confirmed_count, event.waitlist_count) == (1, 1)


def test_registering_twice_keeps_one_registration():
    event = make_event(capacity=3)
    member = make_user()

    actions.register_for_event(user=member, event=event)
    actions.register_for_event(user=member, event=event)

    event.refresh_from_db()
    assert event.confirmed_count == 1
    assert Registration.objects.filter(event=event).count() == 1


def test_cancelling_a_place_promotes_the_first_person_waiting_and_tells_them(committed):
    event = make_event(capacity=1)
    holder, first_waiting, second_waiting = make_user(), make_user(), make_user()
    for member in (holder, first_waiting, second_waiting):
        actions.register_for_event(user=member, event=event)

    with committed():
        actions.cancel_registration(user=holder, event=event)

    event.refresh_from_db()
    assert _status(event, holder) == Registration.Status.CANCELLED
    assert _status(event, first_waiting) == Registration.Status.CONFIRMED
    assert _status(event, second_waiting) == Registration.Status.WAITLISTED
    assert (event.confirmed_count, event.waitlist_count) == (1, 1)
    assert Notification.objects.filter(user=first_waiting, kind="event_promoted").exists()
    assert not Notification.objects.filter(user=second_waiting, kind="event_promoted").exists()


def test_leaving_the_waitlist_frees_no_place_and_keeps_the_order():
    event = make_event(capacity=1)
    holder, a, b = make_user(), make_user(), make_user()
    for member in (holder, a, b):
        actions.register_for_event(user=member, event=event)

    actions.cancel_registration(user=a, event=event)

    event.refresh_from_db()
    assert _status(event, holder) == Registration.Status.CONFIRMED
    assert _status(event, b) == Registration.Status.WAITLISTED
    assert (event.confirmed_count, event.waitlist_count) == (1, 1)


def test_a_member_who_cancelled_and_comes_back_joins_the_end_of_the_queue():
    event = make_event(capacity=1)
    holder, a, b = make_user(), make_user(), make_user()
    for member in (holder, a, b):
        actions.register_for_event(user=member, event=event)
    actions.cancel_registration(user=a, event=event)
    actions.register_for_event(user=a, event=event)

    actions.cancel_registration(user=holder, event=event)

    assert _status(event, b) == Registration.Status.CONFIRMED
    assert _status(event, a) == Registration.Status.WAITLISTED


def test_raising_capacity_promotes_from_the_waitlist():
    staff = make_staff()
    event = make_event(staff=staff, capacity=1)
    holder, waiting = make_user(), make_user()
    actions.register_for_event(user=holder, event=event)
    actions.register_for_event(user=waiting, event=event)
    details = actions.EventDetails(
        title=event.title, description=event.description, starts_at=event.starts_at,
        ends_at=event.ends_at, capacity=2,
    )  # fmt: skip

    actions.update_event(actor=staff, event=event, details=details)

    assert _status(event, waiting) == Registration.Status.CONFIRMED


def test_capacity_cannot_drop_below_the_places_taken():
    staff = make_staff()
    event = make_event(staff=staff, capacity=2)
    actions.register_for_event(user=make_user(), event=event)
    actions.register_for_event(user=make_user(), event=event)
    details = actions.EventDetails(
        title=event.title, description=event.description, starts_at=event.starts_at,
        ends_at=event.ends_at, capacity=1,
    )  # fmt: skip

    with pytest.raises(ValidationError) as exc:
        actions.update_event(actor=staff, event=event, details=details)

    assert "capacity" in exc.value.error_dict


def test_registration_closes_at_the_deadline():
    from datetime import timedelta

    from django.utils import timezone

    event = make_event(registration_deadline=timezone.now() - timedelta(minutes=1))

    with pytest.raises(PermissionDenied, match="closed"):
        actions.register_for_event(user=make_user(), event=event)


def test_nobody_registers_for_a_cancelled_event():
    staff = make_staff()
    event = make_event(staff=staff)
    actions.cancel_event(actor=staff, event=event, reason="The speaker is unwell.")

    with pytest.raises(PermissionDenied, match="cancelled"):
        actions.register_for_event(user=make_user(), event=event)


def test_rescheduling_tells_everyone_registered_and_waiting_and_bumps_the_sequence(committed):
    staff = make_staff()
    event = make_event(staff=staff, capacity=1)
    holder, waiting, bystander = make_user(), make_user(), make_user()
    actions.register_for_event(user=holder, event=event)
    actions.register_for_event(user=waiting, event=event)
    from datetime import timedelta

    details = actions.EventDetails(
        title=event.title, description=event.description,
        starts_at=event.starts_at + timedelta(days=1), ends_at=event.ends_at + timedelta(days=1),
        capacity=1,
    )  # fmt: skip

    with committed():
        actions.update_event(actor=staff, event=event, details=details)

    event.refresh_from_db()
    assert event.sequence == 1
    told = set(Notification.objects.filter(kind="event_changed").values_list("user_id", flat=True))
    assert told == {holder.pk, waiting.pk}
    assert bystander.pk not in told


def test_cancelling_an_event_tells_everyone_with_the_reason(committed):
    staff = make_staff()
    event = make_event(staff=staff, capacity=1)
    holder, waiting = make_user(), make_user()
    actions.register_for_event(user=holder, event=event)
    actions.register_for_event(user=waiting, event=event)
    mail.outbox.clear()

    with committed():
        actions.cancel_event(actor=staff, event=event, reason="The venue flooded.")

    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert set(
        Notification.objects.filter(kind="event_cancelled").values_list("user_id", flat=True)
    ) == {holder.pk, waiting.pk}
    assert all("The venue flooded." in m.body for m in mail.outbox)
    assert len(mail.outbox) == 2


def test_only_staff_manage_events():
    member = make_user()
    event = make_event()

    with pytest.raises(PermissionDenied):
        actions.cancel_event(actor=member, event=event, reason="I do not like it.")
    with pytest.raises(PermissionDenied):
        actions.message_registrants(actor=member, event=event, subject="Hi", body="Hello all")


def test_message_reaches_people_with_a_place_and_optionally_the_waitlist(committed):
    staff = make_staff()
    event = make_event(staff=staff, capacity=1)
    holder, waiting = make_user(), make_user()
    actions.register_for_event(user=holder, event=event)
    actions.register_for_event(user=waiting, event=event)

    with committed():
        sent = actions.message_registrants(
            actor=staff, event=event, subject="Parking", body="Use the car park behind the hub."
        )

    assert sent == 1
    note = Notification.objects.get(kind="event_message")
    assert note.user_id == holder.pk
    assert note.data["body"] == "Use the car park behind the hub."


def test_members_who_turned_email_off_get_the_notification_but_no_email(committed):
    from notifications.emails import preferences_for

    event = make_event()
    member = make_user()
    prefs = preferences_for(member)
    prefs.email_when_away = False
    prefs.save()

    with committed():
        actions.register_for_event(user=member, event=event)

    assert Notification.objects.filter(user=member, kind="event_registered").exists()
    assert mail.outbox == []
