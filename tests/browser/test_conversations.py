"""Private messages in Chromium: one member writes to another from their profile, the other
replies, and axe scans the inbox, conversation, new message and report pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import make_member, sign_in
from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser


def assert_no_blocking(page) -> None:
    violations = blocking_violations(page)
    assert not violations, describe(violations)


def test_member_messages_another_who_replies(browser, live_server):
    asha = make_member(username="asha", display_name="Asha Patel")
    bram = make_member(username="bram", display_name="Bram Okafor")

    def tab():
        context = browser.new_context(
            base_url=live_server.url, bypass_csp=True, locale="en-GB", timezone_id="Europe/London"
        )
        context.set_default_timeout(10_000)
        return context, context.new_page()

    asha_context, page = tab()
    bram_context, other = tab()
    try:
        sign_in(page, asha)
        page.goto(f"/u/{bram.username}/")
        page.get_by_role("link", name="Send a private message").click()
        expect(page.get_by_label("To")).to_have_value("bram")
        assert_no_blocking(page)
        page.get_by_role("button", name="Send message").click()  # empty: errors, text kept
        expect(page.locator(".error-summary")).to_be_visible()
        assert_no_blocking(page)
        page.get_by_label("Subject").fill("Minibus grants")
        page.get_by_label("Message").fill("Which fund paid for your **minibus**?")
        page.get_by_role("button", name="Send message").click()
        expect(page.get_by_role("heading", name="Minibus grants")).to_be_visible()
        expect(page.get_by_text("Your message was sent.")).to_be_visible()

        sign_in(other, bram)
        other.get_by_role("link", name="Messages").click()
        expect(other.get_by_text("1 unread", exact=True)).to_be_visible()
        assert_no_blocking(other)
        other.get_by_role("link", name="Minibus grants").click()
        expect(other.locator("strong", has_text="minibus")).to_be_visible()
        assert_no_blocking(other)
        other.get_by_label("Your reply").fill("The parish transport fund.")
        other.get_by_role("button", name="Send reply").click()
        expect(other.get_by_text("The parish transport fund.")).to_be_visible()

        page.reload()
        expect(page.get_by_text("The parish transport fund.")).to_be_visible()
        page.get_by_role("link", name="Report the message from Bram Okafor").click()
        assert_no_blocking(page)
        page.get_by_role("radio", name="Something else").check()
        page.get_by_role("button", name="Send report").click()
        expect(page.locator(".error-summary")).to_be_visible()
        assert_no_blocking(page)
        page.get_by_label("Spam or advertising").check()
        page.get_by_role("button", name="Send report").click()
        expect(page.get_by_text("Thank you: your report was sent.")).to_be_visible()
        expect(page.get_by_text("You reported this message")).to_be_visible()
        assert_no_blocking(page)
    finally:
        asha_context.close()
        bram_context.close()


def test_moderator_hides_a_reported_message_from_the_queue(page):
    from community.conversations import actions
    from tests.factories import make_moderator

    asha = make_member(username="asha", display_name="Asha Patel")
    bram = make_member(username="bram", display_name="Bram Okafor")
    moderator = make_moderator(username="mo", display_name="Mo Derator")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=moderator, email=moderator.email, primary=True, verified=True)
    conversation = actions.start_conversation(
        sender=bram, recipients=[asha], subject="Offer", source="Buy my course now!"
    )
    actions.report_message(
        reporter=asha, message=conversation.messages.get(), reason="spam", note="An advert"
    )
    sign_in(page, moderator)
    page.goto("/mod/queue/?kind=reported_message")
    expect(page.get_by_text("Buy my course now!")).to_be_visible()
    assert_no_blocking(page)
    page.get_by_role("button", name="Hide the message").click()
    expect(page.get_by_text("Done: hide.")).to_be_visible()
    assert conversation.messages.get().is_hidden
