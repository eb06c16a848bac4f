"""Centre staff add a webhook and ping it, in real Chromium; axe and reflow on its pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.webhooks.conftest import running_receiver

from .conftest import make_member, sign_in
from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser


def test_staff_add_a_webhook_ping_it_and_see_the_delivery(page, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    staff = make_member(username="stella", display_name="Stella Staff", role="staff")
    sign_in(page, staff)
    with running_receiver() as receiver:
        page.goto("/staff/webhooks/")
        page.get_by_role("link", name="Add a webhook").click()
        page.get_by_label("Payload URL").fill(receiver.url)
        page.get_by_label("Posts: created, edited, deleted, restored").check()
        page.get_by_role("button", name="Add webhook").click()
        expect(page.get_by_text("Webhook added.")).to_be_visible()

        page.get_by_role("button", name="Send a ping").click()

        expect(page.get_by_text("Delivered, answered 200")).to_be_visible()
        assert receiver.events() == ["ping"]

        for width in (320, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            violations = blocking_violations(page)
            assert not violations, describe(violations)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.get_by_role("link", name="All webhooks").click()
            violations = blocking_violations(page)
            assert not violations, describe(violations)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.go_back()
