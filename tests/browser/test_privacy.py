"""The privacy pages in Chromium: a journey through consents, export and deletion, a visitor's
report, an appeal, and axe on every new page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import make_member, sign_in
from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser

FOOTER = [
    "/privacy/",
    "/privacy/young-people/",
    "/guidelines/",
    "/terms/",
    "/accessibility/",
    "/staying-safe/",
]


def assert_no_blocking(page) -> None:
    violations = blocking_violations(page)
    assert not violations, describe(violations)


def test_footer_pages_are_reachable_and_pass_axe(page):
    page.goto("/guidelines/")
    for path in FOOTER:
        page.locator("footer").locator(f'a[href="{path}"]').click()
        expect(page).to_have_url(f"{page.url.split('/', 3)[0]}//{page.url.split('/')[2]}{path}")
        assert_no_blocking(page)


def test_member_manages_consents_exports_and_deletion(page):
    member = make_member(username="priya", display_name="Priya Member")
    sign_in(page, member)
    page.goto("/account/data/")
    assert_no_blocking(page)
    page.get_by_role("button", name="I agree").first.click()
    expect(page.get_by_text("You agreed to")).to_be_visible()
    page.get_by_role("button", name="Withdraw consent").click()
    expect(page.get_by_text("You withdrew")).to_be_visible()
    page.get_by_role("button", name="Prepare my data").click()
    page.get_by_role("link", name="download it").click()
    assert_no_blocking(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data (ZIP)").click()
    assert download.value.suggested_filename.endswith(".zip")
    page.goto("/account/delete/")
    assert_no_blocking(page)
    page.get_by_label("I understand that my account and personal data will be deleted").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("button", name="Keep my account")).to_be_visible()
    assert_no_blocking(page)
    page.get_by_role("button", name="Keep my account").click()
    expect(page.get_by_text("Your account will not be deleted.")).to_be_visible()


def test_visitor_reports_a_public_post(page):
    from community.forum.models import Space
    from tests.factories import make_thread

    space = Space.objects.get(slug="national")
    space.visibility = Space.Visibility.PUBLIC
    space.save()
    thread = make_thread(space=space, title="A public thread about outreach")
    page.goto(thread.get_absolute_url())
    page.get_by_role("link", name="Report post 1").click()
    assert_no_blocking(page)
    page.get_by_role("radio", name="Something else").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_blocking(page)
    page.get_by_label("Spam or advertising").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Thank you: your report was sent")).to_be_visible()


def test_member_appeals_and_another_moderator_decides(page, browser, live_server):
    from community.moderation import actions as moderation_actions
    from community.moderation.models import ReviewItem
    from tests.factories import make_thread, make_user

    author = make_member(username="ravi", display_name="Ravi Author")
    decider = make_member(role="moderator", username="dee", display_name="Dee Decider")
    reviewer = make_member(role="moderator", username="rae", display_name="Rae Reviewer")
    post = make_thread(author=author, title="Our hub's opening hours").posts.get(number=1)
    moderation_actions.flag_post(flagger=make_user(), post=post, reason="inappropriate")
    item = ReviewItem.objects.get(post=post)
    moderation_actions.resolve_review_item(
        moderator=decider, item=item, decision="hide", reason="Rude"
    )

    sign_in(page, author)
    page.goto(f"/p/{post.pk}/appeal/")
    assert_no_blocking(page)
    page.get_by_label("Why should the decision be changed?").fill(
        "It only lists our opening hours."
    )
    page.get_by_role("button", name="Send appeal").click()
    expect(page.get_by_text("Your appeal was sent")).to_be_visible()

    other = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="en-GB")
    tab = other.new_page()
    sign_in(tab, reviewer)
    tab.goto("/mod/appeals/")
    assert_no_blocking(tab)
    tab.get_by_role("link", name="Decide this appeal from Ravi Author").click()
    assert_no_blocking(tab)
    tab.get_by_label("Overturn: put the post back").check()
    tab.get_by_label("Reason, as the member will read it").fill("Opening hours are fine to share.")
    tab.get_by_role("button", name="Record the outcome").click()
    expect(tab.get_by_text("The appeal was decided")).to_be_visible()
    other.close()


def test_members_directory_and_verification_pass_axe(page):
    staff = make_member(role="staff", username="sam", display_name="Sam Staff")
    make_member(username="unv", display_name="Una Verified", role="commissioner")
    sign_in(page, staff)
    for path in ("/members/", "/staff/verification/", "/accessibility/"):
        page.goto(path)
        assert_no_blocking(page)
