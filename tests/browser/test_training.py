"""A member registers for an event and cancels, in real Chromium; axe on the event pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import make_member, sign_in
from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser


@pytest.fixture
def event():
    from community.training import actions
    from tests.factories import any_topic

    staff = make_member(username="sam", display_name="Sam Staff", role="staff")
    start = timezone.now() + timedelta(days=5)
    event = actions.create_event(
        actor=staff,
        details=actions.EventDetails(
            title="Reaching families in rural areas",
            description="Practical outreach ideas from three local areas.",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=1,
            online_url="https://meet.example/rural",
            hosts="Priya Shah, hub lead",
            topics=(any_topic(),),
        ),
    )
    event.staff = staff
    return event


def test_member_registers_then_cancels_and_the_place_goes_to_the_waitlist(page, member, event):
    from community.training import actions
    from community.training.models import Registration

    waiting = make_member(username="wendy", display_name="Wendy Wait")
    sign_in(page, member)
    page.get_by_role("link", name="Events").click()
    page.get_by_role("link", name=event.title).click()

    page.get_by_role("button", name="Register for this event").click()

    expect(page.get_by_text("You have a place.").first).to_be_visible()
    expect(page.get_by_role("link", name="https://meet.example/rural")).to_be_visible()
    actions.register_for_event(user=waiting, event=event)

    page.get_by_role("button", name="Cancel my place").click()

    expect(page.get_by_text("Your registration is cancelled.")).to_be_visible()
    expect(page.get_by_role("button", name="Join the waitlist")).to_be_visible()
    assert Registration.objects.get(event=event, user=waiting).status == "confirmed"


def _proposal(member):
    from community.training import actions

    return actions.propose_topic(
        user=member, title="Working with health visitors", description="Joint visits and data."
    )


PAGES = {
    "upcoming events": lambda e: "/events/",
    "month calendar": lambda e: f"/events/calendar/{e.starts_local.year}/{e.starts_local.month}/",
    "past events": lambda e: "/events/past/",
    "event page as staff": lambda e: e.get_absolute_url(),
    "my events": lambda e: "/events/mine/",
    "proposals": lambda e: "/events/proposals/",
    "demand": lambda e: "/events/proposals/demand/",
    "new event form": lambda e: "/events/new/",
    "edit event form": lambda e: f"/events/{e.pk}/edit/",
    "registrations": lambda e: f"/events/{e.pk}/registrations/",
    "message registrants": lambda e: f"/events/{e.pk}/message/",
    "add materials": lambda e: f"/events/{e.pk}/materials/",
    "cancel event": lambda e: f"/events/{e.pk}/cancel/",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_event_pages_have_no_serious_accessibility_violations(page, member, event, name):
    from community.training import actions

    actions.register_for_event(user=member, event=event)
    _proposal(member)
    sign_in(page, event.staff)
    page.goto(PAGES[name](event))

    violations = blocking_violations(page)

    assert not violations, f"{name} at {page.url}:\n{describe(violations)}"


def test_failed_event_form_has_no_serious_accessibility_violations(page, event):
    sign_in(page, event.staff)
    page.goto("/events/new/")
    page.get_by_label("Title").fill("Bad")
    page.get_by_role("button", name="Schedule the event").click()
    page.locator(".error-summary").wait_for()

    violations = blocking_violations(page)

    assert not violations, describe(violations)


def test_event_page_for_a_member_has_no_serious_accessibility_violations(page, member, event):
    sign_in(page, member)
    page.goto(event.get_absolute_url())

    assert not blocking_violations(page)
