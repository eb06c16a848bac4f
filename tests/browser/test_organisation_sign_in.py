"""Organisation sign-in in Chromium, through the real redirect flow to a real OpenID Connect
provider (django-oauth-toolkit, tests/oidc_provider) running in a second process."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.oidc_provider.process import CLIENT_ID, CLIENT_SECRET, running_provider

from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser
PROVIDER_ID = "test-council"


@pytest.fixture(scope="module")
def provider():
    with running_provider() as running:
        yield running


@pytest.fixture
def council(provider, live_server):
    from allauth.socialaccount.models import SocialApp

    provider.allow_redirects_to(live_server.url, PROVIDER_ID)
    return SocialApp.objects.create(
        provider="organisation",
        provider_id=PROVIDER_ID,
        name="Test Council",
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        settings=provider.app_settings(
            email_domains=["council.gov.uk"], role="practitioner", verified=True
        ),
    )


def start_organisation_sign_in(page) -> None:
    # The live server's first page can take seconds on a busy machine (imports, templates).
    page.goto("/accounts/login/", timeout=60_000)
    page.get_by_role("link", name="Test Council").click()
    page.get_by_role("button", name="Continue").click()


def test_a_practitioner_signs_up_through_their_council_and_lands_verified(page, council, provider):
    from community.accounts.models import User

    provider.sign_in_as("jo.hughes@council.gov.uk", name="Jo Hughes")
    start_organisation_sign_in(page)
    # Back from the provider: we ask what the provider cannot tell us.
    page.get_by_label("Display name").wait_for()
    assert page.url.endswith("/accounts/3rdparty/signup/")
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        violations = blocking_violations(page)
        assert not violations, describe(violations)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_label("Display name").fill("Jo Hughes")
    page.get_by_label("Age").select_option(label="26 or over")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    member = User.objects.get(email="jo.hughes@council.gov.uk")
    assert member.role == User.Role.PRACTITIONER and member.is_verified_professional
    sent = provider.authorize_requests()[-1]
    assert sent["code_challenge_method"] == "S256" and sent["nonce"] and sent["state"]


@pytest.mark.parametrize("mode", ["tamper", "audience"])
def test_a_spoiled_id_token_is_refused_in_the_browser(page, council, provider, mode):
    from allauth.socialaccount.models import SocialAccount

    provider.sign_in_as("mallory@council.gov.uk", mode=mode)
    start_organisation_sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Login Failure")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert not SocialAccount.objects.exists()


def test_a_provider_asserting_a_members_email_is_sent_to_prove_it(page, council, provider):
    from allauth.socialaccount.models import SocialAccount

    from .conftest import make_member

    make_member(username="sam", email="sam@council.gov.uk")
    provider.sign_in_as("sam@council.gov.uk")
    start_organisation_sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not sign you in")
    expect(page.get_by_text("There is already a member")).to_be_visible()
    violations = blocking_violations(page)
    assert not violations, describe(violations)
    assert not SocialAccount.objects.exists()


def test_a_member_connects_their_organisation_account_and_the_connections_page_passes_axe(
    page, council, provider
):
    from allauth.socialaccount.models import SocialAccount

    from .conftest import make_member, sign_in

    member = make_member(username="kit", email="kit@council.gov.uk")
    sign_in(page, member)
    page.goto("/accounts/3rdparty/")

    def assert_page_passes_axe_at_phone_and_desktop_widths() -> None:
        for width in (320, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            violations = blocking_violations(page)
            assert not violations, describe(violations)
            assert page.evaluate("document.documentElement.scrollWidth") <= width

    assert_page_passes_axe_at_phone_and_desktop_widths()  # nothing connected yet
    provider.sign_in_as("kit@council.gov.uk", name="Kit Hughes")
    page.get_by_role("link", name="Test Council").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/3rdparty/")
    assert SocialAccount.objects.filter(user=member).count() == 1
    assert_page_passes_axe_at_phone_and_desktop_widths()  # with the connection listed
    # Targets a thumb can hit (44 px), which axe does not check.
    page.set_viewport_size({"width": 320, "height": 800})
    for target in (
        page.locator("label[for^=id_account_]"),  # the radio's label is its target
        page.get_by_role("button", name="Disconnect the chosen account"),
        page.get_by_role("link", name="Test Council"),
    ):
        box = target.bounding_box()
        assert box and box["height"] >= 44, box
    page.get_by_label("kit@council.gov.uk").check()
    page.get_by_role("button", name="Disconnect the chosen account").click()
    expect(page.get_by_text("No organisation account is connected.")).to_be_visible()
    assert not SocialAccount.objects.filter(user=member).exists()
