"""Joining the network and signing in, through the real allauth pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, fill_sign_up, sign_in

pytestmark = pytest.mark.browser

CONFIRM_LINK_RE = re.compile(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/")


def test_sign_up_then_confirming_the_emailed_link_signs_the_member_in(page, mailoutbox):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    fill_sign_up(page, email="dani@example.org", username="dani")
    page.get_by_role("button", name="Sign Up").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email")
    assert len(mailoutbox) == 1, [m.subject for m in mailoutbox]
    email = mailoutbox[0]
    assert email.to == ["dani@example.org"]
    links = CONFIRM_LINK_RE.findall(email.body)
    assert links, f"No confirmation link in the email:\n{email.body}"

    page.goto(links[0])
    page.get_by_role("button", name="Confirm").click()

    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("button", name="Sign out")).to_be_visible()
    expect(account.get_by_role("link", name="Dani Hughes")).to_be_visible()
    dani = (
        get_user_model()
        .objects.select_related("home_region", "local_authority")
        .get(username="dani")
    )
    assert (dani.display_name, dani.role, dani.age_band) == ("Dani Hughes", "parent_carer", "26+")
    assert (dani.home_region.name, dani.local_authority.name) == ("London", "Camden")
    assert dani.organisation == "Camden parents' forum"
    assert EmailAddress.objects.get(user=dani).verified


def test_sign_up_refuses_under_13s_with_a_kind_message(page, mailoutbox):
    from django.contrib.auth import get_user_model

    fill_sign_up(page, email="kid@example.org", username="kid", age="Under 13")
    page.get_by_role("button", name="Sign Up").click()

    # The app's error pattern: "Error:" in the title, a summary that takes focus and links to
    # the field, the message beside the field, and the field marked invalid.
    expect(page).to_have_title(re.compile(r"^Error:"))
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=re.compile(r"^Age: Sorry, you need to be 13")).click()
    expect(page.get_by_label("Age")).to_be_focused()
    beside = page.locator("#id_age_band_error")
    expect(beside).to_contain_text("Sorry, you need to be 13 or over to join.")
    expect(beside).to_contain_text("Childline (0800 1111) is there for you any time")
    expect(page.get_by_label("Age")).to_have_attribute("aria-invalid", "true")
    assert not get_user_model().objects.filter(username="kid").exists()
    assert mailoutbox == []


def test_sign_in_form_takes_a_verified_member_to_the_latest_threads(page, member):
    sign_in(page, member)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Latest")
    expect(page.get_by_role("link", name="Start a thread")).to_be_visible()


def test_sign_in_with_a_wrong_password_shows_an_error_and_stays_signed_out(page, member):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD + "-wrong")
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_title(re.compile(r"^Error:"))
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.get_by_role("alert")).to_contain_text(
        "The email address and/or password you specified are not correct."
    )
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
