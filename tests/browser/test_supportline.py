"""SupportLine in a real browser: a member asks, staff reply, the member replies in the
case; and axe finds no serious or critical problems on its pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import make_member, sign_in
from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser


def _staff():
    from django.contrib.auth.models import Group

    from community.supportline.permissions import SUPPORTLINE_GROUP

    staff = make_member(username="sam", display_name="Sam Staff", role="staff")
    group, _ = Group.objects.get_or_create(name=SUPPORTLINE_GROUP)
    staff.groups.add(group)
    return staff


def _assert_accessible(page, name: str) -> None:
    violations = blocking_violations(page)
    assert not violations, f"{name} at {page.url}:\n{describe(violations)}"


def test_member_submits_a_request_and_replies_in_the_private_case(page, member):
    from community.supportline import actions
    from community.supportline.models import ConsultationRequest

    staff = _staff()
    sign_in(page, member)
    page.goto("/supportline/")
    _assert_accessible(page, "SupportLine start page")
    page.get_by_role("link", name="Ask SupportLine").first.click()
    _assert_accessible(page, "request form")

    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".error-summary")).to_be_visible()
    _assert_accessible(page, "request form with errors")

    page.get_by_label("Organisation").fill("Hubtown Council")
    page.get_by_label("Region").select_option(label="London")
    page.get_by_label("Local authority").select_option(label="Camden")
    page.get_by_label("Setting up a family hub").check()
    page.get_by_role("group", name="Topics").get_by_role("checkbox").first.check()
    page.get_by_label("Your question").fill(
        "How do other London boroughs join up midwifery with the hub's start-for-life offer?"
    )
    page.get_by_label("Routine: within a few weeks is fine").check()
    page.get_by_label("Video call").check()
    page.get_by_label("Good times to reach you").fill("Tuesday mornings")
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    case = ConsultationRequest.objects.get(requester=member)
    expect(page.locator(".reference")).to_have_text(case.reference)
    assert re.fullmatch(r"SL-\d{4}-\d{5}", case.reference)
    _assert_accessible(page, "confirmation page")

    # The centre answers in the case; the member sees it and replies.
    actions.triage_case(case=case, actor=staff)
    actions.post_message(
        case=case, author=staff, source="Thanks: could you share your **draft** map?"
    )

    page.goto("/supportline/requests/")
    expect(page.get_by_text("Triaged")).to_be_visible()
    _assert_accessible(page, "my requests")
    page.get_by_role("link", name=case.reference).click()
    expect(page.locator(".case-messages strong", has_text="draft")).to_be_visible()
    _assert_accessible(page, "case page")
    page.get_by_label("Your message").fill("Yes, I will bring it to the consultation.")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Your message was sent.")).to_be_visible()
    expect(page.locator(".case-messages")).to_contain_text("Yes, I will bring it")
    assert case.messages.count() == 2


def test_staff_pages_have_no_serious_accessibility_violations(page, member):
    from community.supportline import actions
    from community.supportline.models import ExpertProfile
    from tests.supportline.builders import make_case

    staff = _staff()
    expert = make_member(username="eve", display_name="Eve Expert", role="expert")
    case = make_case(member)
    ExpertProfile.objects.create(user=expert).specialisms.set(case.topics.all())
    actions.triage_case(case=case, actor=staff)
    make_case(member, urgency="urgent")
    sign_in(page, staff)
    for name, path in [
        ("triage queue", "/supportline/queue/"),
        ("triaged case with staff actions", case.get_absolute_url()),
        ("report", "/supportline/report/?by=topic"),
        ("themes", "/supportline/themes/"),
    ]:
        page.goto(path)
        _assert_accessible(page, name)


def test_visitor_form_and_expert_availability_are_accessible(page):
    page.goto("/supportline/request/")
    expect(page.get_by_label("Your age")).to_be_visible()
    _assert_accessible(page, "visitor request form")
    from community.supportline.models import ExpertProfile

    expert = make_member(username="eve", display_name="Eve Expert", role="expert")
    ExpertProfile.objects.create(user=expert)
    sign_in(page, expert)
    page.goto("/supportline/availability/")
    page.get_by_label("Starts").fill("2099-06-02T10:00")
    page.get_by_role("button", name="Add time").click()
    expect(page.get_by_text("Time added.")).to_be_visible()
    _assert_accessible(page, "expert availability")


def test_a_young_person_is_shown_where_to_get_help_instead_of_the_form(page):
    child = make_member(username="kit", display_name="Kit", role="young_person", age_band="13-15")
    sign_in(page, child)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/supportline/request/")
        expect(page.get_by_role("heading", name="SupportLine is for adults")).to_be_visible()
        expect(page.get_by_role("link", name="0800 1111")).to_be_visible()
        expect(page.get_by_role("link", name="staying safe page")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        _assert_accessible(page, f"SupportLine refusal at {width} px")
