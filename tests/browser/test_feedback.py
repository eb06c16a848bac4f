"""A family's feedback arrives through the "Tell us" page, is screened, and staff turn it into
a discussion thread, in real Chromium; axe on each new page at phone and desktop widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import make_member, sign_in
from tests.browser.test_polls import _axe_at_phone_and_desktop

pytestmark = pytest.mark.browser


def test_feedback_arrives_is_screened_and_staff_turn_it_into_a_thread(page, browser, live_server):
    from community.feedback.models import FeedbackResponse
    from notifications.models import Notification

    lead = make_member(username="lead", role="staff", is_safeguarding_lead=True)
    _axe_at_phone_and_desktop(page, "/tell-us/")

    page.set_viewport_size({"width": 320, "height": 720})
    page.goto("/tell-us/")
    page.get_by_label("A parent or carer").check()
    page.get_by_label("What do you need from your family hub?").fill(
        "A quiet room to feed my baby."
    )
    page.get_by_label("What has not worked well?").fill("Sometimes I feel not safe walking there.")
    page.get_by_label("Which part of England do you live in? (optional)").select_option(
        label="London"
    )
    page.get_by_label("You can show my name next to my words when you share them").check()
    page.get_by_label("Name to show (optional)").fill("Priya")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    _axe_at_phone_and_desktop(page, "/tell-us/thank-you/")

    response = FeedbackResponse.objects.get()
    assert response.safeguarding and response.status == "new"
    assert Notification.objects.filter(user=lead, kind="feedback_safeguarding").exists()

    staff_context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="en-GB")
    staff_context.set_default_timeout(10_000)
    staff = staff_context.new_page()
    try:
        sign_in(staff, lead)
        _axe_at_phone_and_desktop(staff, "/feedback/inbox/")
        _axe_at_phone_and_desktop(staff, f"/feedback/inbox/{response.pk}/")
        _axe_at_phone_and_desktop(staff, f"/feedback/discussion/?responses={response.pk}")
        staff.goto("/feedback/inbox/")
        expect(staff.get_by_text("Safeguarding: leads told")).to_be_visible()
        staff.get_by_label(f"Use response {response.pk}").check()
        staff.get_by_role("button", name="Start a discussion from the chosen responses").click()
        expect(staff.locator(".feedback-preview")).to_contain_text("Priya")
        staff.get_by_label("Thread title").fill("What families told us about feeding spaces")
        staff.get_by_label("Space").select_option(label="National")
        staff.get_by_label("Practice topic").select_option(index=1)
        violations_page = staff.url
        assert violations_page.endswith("/feedback/discussion/")
        staff.get_by_role("button", name="Start the discussion").click()
        expect(
            staff.get_by_role("heading", name="What families told us about feeding spaces")
        ).to_be_visible()
        expect(staff.locator("#post-1")).to_contain_text("A quiet room to feed my baby.")
        expect(staff.locator("#post-1")).to_contain_text("Priya")
    finally:
        staff_context.close()
