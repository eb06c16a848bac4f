"""Reminders a day and an hour before, sent once; proposals, support and scheduling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from community.training import actions
from community.training.models import Proposal, Registration
from notifications.models import Notification
from tests.factories import any_topic, make_user

from .builders import make_event, make_staff

pytestmark = pytest.mark.django_db


def _kinds(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True)
    )


def test_day_then_hour_reminders_go_once_each(committed):
    start = timezone.now() + timedelta(days=3)
    event = make_event(starts_at=start)
    member = make_user()
    actions.register_for_event(user=member, event=event)

    with committed():
        early = actions.send_due_reminders(now=start - timedelta(hours=30))
        day = actions.send_due_reminders(now=start - timedelta(hours=23))
        day_again = actions.send_due_reminders(now=start - timedelta(hours=22))
        hour = actions.send_due_reminders(now=start - timedelta(minutes=50))
        hour_again = actions.send_due_reminders(now=start - timedelta(minutes=10))

    assert (early.day, early.hour) == (0, 0)
    assert (day.day, day.hour) == (1, 0)
    assert (day_again.day, day_again.hour) == (0, 0)
    assert (hour.day, hour.hour) == (0, 1)
    assert (hour_again.day, hour_again.hour) == (0, 0)
    assert _kinds(member) == ["event_registered", "event_reminder_day", "event_reminder_hour"]
    assert [m.subject for m in mail.outbox][-1].startswith("[Family Hubs Network] Reminder")


def test_a_late_run_sends_only_the_hour_reminder():
    start = timezone.now() + timedelta(days=3)
    event = make_event(starts_at=start)
    member = make_user()
    actions.register_for_event(user=member, event=event)

    run = actions.send_due_reminders(now=start - timedelta(minutes=30))

    assert (run.day, run.hour) == (0, 1)
    assert actions.send_due_reminders(now=start - timedelta(minutes=20)).day == 0


def test_waitlisted_and_cancelled_members_get_no_reminder():
    start = timezone.now() + timedelta(days=3)
    event = make_event(starts_at=start, capacity=1)
    holder, waiting = make_user(), make_user()
    actions.register_for_event(user=holder, event=event)
    actions.register_for_event(user=waiting, event=event)

    run = actions.send_due_reminders(now=start - timedelta(hours=2))

    assert run.day == 1
    assert not Notification.objects.filter(user=waiting, kind__startswith="event_reminder")


def test_rescheduling_sends_the_reminders_again_for_the_new_time():
    staff = make_staff()
    start = timezone.now() + timedelta(days=3)
    event = make_event(staff=staff, starts_at=start)
    member = make_user()
    actions.register_for_event(user=member, event=event)
    actions.send_due_reminders(now=start - timedelta(hours=20))
    later = start + timedelta(days=2)
    actions.update_event(
        actor=staff,
        event=event,
        details=actions.EventDetails(
            title=event.title, description=event.description, starts_at=later,
            ends_at=later + timedelta(hours=1), capacity=event.capacity,
        ),
    )  # fmt: skip

    run = actions.send_due_reminders(now=later - timedelta(hours=20))

    assert run.day == 1


def test_reminder_command_sends_what_is_due(capsys):
    event = make_event(starts_at=timezone.now() + timedelta(hours=20))
    # Registered earlier than a day before: the day reminder is due now.
    member = make_user()
    actions.register_for_event(user=member, event=event)
    Registration.objects.filter(event=event).update(reminded_day_at=None)

    call_command("send_event_reminders")

    assert "Sent 1 day reminders and 0 hour reminders." in capsys.readouterr().out


def test_proposer_support_counts_and_each_member_votes_once():
    proposer, supporter = make_user(), make_user()
    proposal = actions.propose_topic(
        user=proposer, title="Reducing parental conflict", description="Help us run workshops."
    )

    assert actions.support_proposal(user=supporter, proposal=proposal) is True
    assert actions.support_proposal(user=supporter, proposal=proposal) is False
    assert actions.support_proposal(user=proposer, proposal=proposal) is False

    proposal.refresh_from_db()
    assert proposal.support_count == 2


def test_withdrawing_support_lowers_the_count():
    proposer, supporter = make_user(), make_user()
    proposal = actions.propose_topic(
        user=proposer, title="Infant feeding peer support", description="Training for volunteers."
    )
    actions.support_proposal(user=supporter, proposal=proposal)

    actions.withdraw_support(user=supporter, proposal=proposal)

    proposal.refresh_from_db()
    assert proposal.support_count == 1


def test_scheduling_a_proposal_links_the_event_and_tells_supporters(committed):
    from community.training.selectors import demand_ranking

    staff = make_staff()
    proposer, supporter = make_user(), make_user()
    proposal = actions.propose_topic(
        user=proposer, title="Data sharing agreements", description="Templates and pitfalls."
    )
    actions.support_proposal(user=supporter, proposal=proposal)
    start = timezone.now() + timedelta(days=10)
    details = actions.EventDetails(
        title="Data sharing in family hubs", description="Templates and pitfalls explained.",
        starts_at=start, ends_at=start + timedelta(hours=1), capacity=30, topics=(any_topic(),),
    )  # fmt: skip

    with committed():
        event = actions.create_event(actor=staff, details=details, proposal=proposal)

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SCHEDULED and proposal.event == event
    told = set(
        Notification.objects.filter(kind="proposal_scheduled").values_list("user_id", flat=True)
    )
    assert told == {proposer.pk, supporter.pk}
    assert demand_ranking(viewer=staff) == []
    with pytest.raises(PermissionDenied):
        actions.support_proposal(user=make_user(), proposal=proposal)


def test_demand_is_ranked_and_broken_down_by_region_and_role():
    from community.accounts.models import Region
    from community.training.selectors import demand_ranking

    london = Region.objects.get(slug="london")
    north_east = Region.objects.get(slug="north-east")
    small = actions.propose_topic(
        user=make_user(home_region=london), title="Small ask", description="Just one of us."
    )
    big = actions.propose_topic(
        user=make_user(home_region=london), title="Big ask", description="Many of us want it."
    )
    actions.support_proposal(user=make_user(home_region=london, role="commissioner"), proposal=big)
    actions.support_proposal(user=make_user(home_region=north_east), proposal=big)

    ranking = demand_ranking(viewer=make_staff())

    assert [d.proposal.pk for d in ranking] == [big.pk, small.pk]
    assert ranking[0].by_region == [("London", 2), ("North East", 1)]
    assert ranking[0].by_role == [("Practitioner", 2), ("Commissioner or hub lead", 1)]
