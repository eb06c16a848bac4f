"""Pages that issue 13 changed, in Chromium at phone and desktop widths, with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import make_member, sign_in
from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser

WIDTHS = [(320, 640), (1280, 800)]


def _check(page) -> None:
    violations = blocking_violations(page)
    assert not violations, describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_waiting_for_approval_page_reads_well_at_every_width(page):
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/accounts/inactive/", timeout=30_000)  # the first page of a cold server
        expect(
            page.get_by_role("heading", name="Your account is waiting for approval")
        ).to_be_visible()
        _check(page)


def test_hidden_post_notification_opens_its_status_and_the_appeal_form(page):
    from community.moderation import actions as moderation_actions
    from community.moderation.models import ReviewItem
    from tests.factories import make_moderator, make_thread, make_user

    author = make_member(username="hana", display_name="Hana Author")
    post = make_thread(author=author, title="Our hub's messy noticeboard").posts.get(number=1)
    moderation_actions.flag_post(flagger=make_user(), post=post, reason="inappropriate")
    item = ReviewItem.objects.get(post=post)
    moderation_actions.resolve_review_item(
        moderator=make_moderator(), item=item, decision="hide", reason="Names a child"
    )
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, author)
    page.goto("/notifications/")
    page.get_by_role("link", name="A moderator hid your post").click()
    expect(page.get_by_role("heading", name="Where your post stands")).to_be_visible()
    expect(page.get_by_text("Hidden by a moderator")).to_be_visible()
    expect(page.get_by_role("button", name="Send appeal")).to_be_visible()
    _check(page)
