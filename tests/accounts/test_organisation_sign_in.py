"""Organisation sign-in against a real OpenID Connect provider in a second process.

The provider (tests/oidc_provider) is django-oauth-toolkit with OIDC on. These tests drive the
redirect flow with Django's client on our side and plain HTTP on the provider's; the Chromium
journey is in tests/browser/test_organisation_sign_in.py.
"""

from __future__ import annotations

import httpx
import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.test import Client

from community.accounts.models import User
from community.accounts.sso.config import apps_from_environment
from tests.factories import make_user
from tests.oidc_provider.process import CLIENT_ID, CLIENT_SECRET, running_provider

PROVIDER_ID = "test-council"
SIGN_UP = {
    "username": "jo-practitioner",
    "display_name": "Jo Practitioner",
    "age_band": "26+",
    "organisation": "Test Council",
}


@pytest.fixture(scope="module")
def provider():
    with running_provider() as running:
        running.allow_redirects_to("http://testserver", PROVIDER_ID, "env-trust")
        yield running


@pytest.fixture
def council(db, provider):
    return SocialApp.objects.create(
        provider="organisation",
        provider_id=PROVIDER_ID,
        name="Test Council",
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        settings=provider.app_settings(
            email_domains=["council.gov.uk", "*.nhs.uk"],
            role="commissioner",
            verified=True,
            passwords_allowed=False,
        ),
    )


def go_through_provider(client: Client, *, process: str = "login", provider_id=PROVIDER_ID):
    """Start at our sign-in button, visit the provider as a browser would, come back."""
    start = client.post(f"/accounts/oidc/{provider_id}/login/", {"process": process})
    assert start.status_code == 302, start.content[:300]
    at_provider = httpx.get(start["Location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text[:300]
    callback = at_provider.headers["location"]
    assert callback.startswith("http://testserver/accounts/oidc/")
    return client.get(callback.removeprefix("http://testserver"))


def signed_in_user(client: Client):
    return User.objects.filter(pk=client.session.get("_auth_user_id")).first()


def test_new_member_signs_up_with_the_providers_role_and_mark(client, council, provider):
    provider.sign_in_as("jo@council.gov.uk", name="Jo Practitioner")
    answer = go_through_provider(client)
    assert answer.status_code == 302 and answer["Location"] == "/accounts/3rdparty/signup/"
    form = client.get("/accounts/3rdparty/signup/")
    assert b"I am a" not in form.content  # the provider sets the role
    done = client.post("/accounts/3rdparty/signup/", {"email": "jo@council.gov.uk", **SIGN_UP})
    assert done.status_code == 302, done.content.decode()[:2000]
    member = signed_in_user(client)
    assert member.email == "jo@council.gov.uk"
    assert member.role == User.Role.COMMISSIONER and member.is_verified
    assert not member.has_usable_password()
    assert EmailAddress.objects.get(user=member).verified
    # What was sent: PKCE with S256, a nonce and a state.
    sent = provider.authorize_requests()[-1]
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) >= 43
    assert sent["nonce"] and sent["state"] and sent["client_id"] == CLIENT_ID


def test_returning_member_signs_in_without_a_form(client, council, provider):
    provider.sign_in_as("returning@council.gov.uk")
    go_through_provider(client)
    client.post("/accounts/3rdparty/signup/", {"email": "returning@council.gov.uk", **SIGN_UP})
    client.logout()
    answer = go_through_provider(client)
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert signed_in_user(client).email == "returning@council.gov.uk"


@pytest.mark.parametrize(
    ("mode", "why"),
    [
        ("tamper", "Signature verification failed"),
        ("audience", "Audience doesn't match"),
        ("nonce", "nonce does not match"),
    ],
)
def test_a_spoiled_id_token_is_refused(client, council, provider, caplog, mode, why):
    provider.sign_in_as("spoiled@council.gov.uk", mode=mode)
    answer = go_through_provider(client)
    assert answer.status_code == 401
    assert why in caplog.text
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()
    assert "socialaccount_sociallogin" not in client.session


def test_a_forged_state_is_refused(client, council, provider):
    provider.sign_in_as("state@council.gov.uk")
    start = client.post(f"/accounts/oidc/{PROVIDER_ID}/login/", {"process": "login"})
    callback = httpx.get(start["Location"], follow_redirects=False).headers["location"]
    other = Client()  # the code arrives in a browser that never started this sign-in
    answer = other.get(callback.removeprefix("http://testserver"))
    assert signed_in_user(other) is None and not SocialAccount.objects.exists()
    assert answer.status_code == 401


def test_a_provider_cannot_take_over_an_existing_members_email(client, council, provider):
    member = make_user(username="sam", email="sam@council.gov.uk")
    provider.sign_in_as("SAM@council.gov.uk")
    answer = go_through_provider(client)
    assert answer.status_code == 409
    assert b"already a member" in answer.content
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.filter(user=member).exists()


def test_a_member_connects_from_preferences_after_proving_their_account(client, council, provider):
    member = make_user(username="ria", email="ria@council.gov.uk")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    client.force_login(member)
    preferences = client.get("/preferences/")
    assert b"/accounts/3rdparty/" in preferences.content
    provider.sign_in_as("ria@council.gov.uk")
    answer = go_through_provider(client, process="connect")
    assert answer.status_code == 302
    assert SocialAccount.objects.get(user=member).provider == PROVIDER_ID
    client.logout()
    answer = go_through_provider(client)
    assert answer.status_code == 302, answer.content.decode()[:1000]
    assert signed_in_user(client) == member


def test_password_sign_in_is_refused_when_the_provider_keeps_passwords_off(
    client, council, provider
):
    member = make_user(username="lee", email="lee@council.gov.uk")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    SocialAccount.objects.create(user=member, provider=PROVIDER_ID, uid="lee-sub")
    answer = client.post(
        "/accounts/login/", {"login": member.email, "password": "pw-Example-1234"}, follow=True
    )
    assert b"Please sign in with your Test Council account" in answer.content
    assert signed_in_user(client) is None


@pytest.mark.parametrize(
    ("email", "verified"),
    [
        ("jo@example.com", True),
        ("jo@council.gov.uk.evil.example", True),
        ("jo@council.gov.uk", False),
    ],
)
def test_a_provider_only_vouches_for_confirmed_addresses_on_its_domains(
    client, council, provider, email, verified
):
    provider.sign_in_as(email, verified=verified)
    answer = go_through_provider(client)
    assert answer.status_code == 403
    assert signed_in_user(client) is None and not SocialAccount.objects.exists()


def test_a_provider_never_makes_a_minors_account(client, council, provider):
    provider.sign_in_as("young@council.gov.uk")
    go_through_provider(client)
    answer = client.post(
        "/accounts/3rdparty/signup/",
        {"email": "young@council.gov.uk", **SIGN_UP, "age_band": "16-17"},
    )
    assert answer.status_code == 200
    assert b"please sign up with your email address instead" in answer.content
    assert not User.objects.filter(email="young@council.gov.uk").exists()


def test_providers_come_from_the_environment():
    apps = apps_from_environment(
        '[{"id": "kent", "name": "Kent County Council", "issuer": "https://id.kent.example",'
        ' "client_id": "fhn", "secret": "s", "email_domains": ["kent.gov.uk"], "verified": true},'
        ' {"id": "nhs", "name": "NHS login", "issuer": "https://nhs.example", "client_id": "c"}]'
    )
    assert [app["provider_id"] for app in apps] == ["kent", "nhs"]
    assert apps[0]["settings"]["email_domains"] == ["kent.gov.uk"]
    assert apps[0]["settings"]["verified"] is True and apps[0]["settings"]["oauth_pkce_enabled"]
    assert (
        apps[1]["settings"]["role"] == "practitioner" and apps[1]["settings"]["passwords_allowed"]
    )
    with pytest.raises(ValueError, match="lacks client_id"):
        apps_from_environment('[{"id": "x", "name": "X", "issuer": "https://x"}]')


def test_a_provider_from_the_environment_signs_in_beside_one_from_the_admin(
    client, council, provider, settings
):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "organisation": {
            "APPS": apps_from_environment(
                f'[{{"id": "env-trust", "name": "Hubtown NHS Trust", "issuer": "{provider.url}",'
                f' "client_id": "{CLIENT_ID}", "secret": "{CLIENT_SECRET}",'
                ' "email_domains": ["*.nhs.uk"], "role": "expert", "verified": false}]'
            )
        }
    }
    login_page = client.get("/accounts/login/").content.decode()
    assert "Hubtown NHS Trust" in login_page and "Test Council" in login_page
    provider.sign_in_as("ash@hubtown.nhs.uk")
    answer = go_through_provider(client, provider_id="env-trust")
    assert answer["Location"] == "/accounts/3rdparty/signup/"
    client.post("/accounts/3rdparty/signup/", {"email": "ash@hubtown.nhs.uk", **SIGN_UP})
    member = signed_in_user(client)
    assert member.role == User.Role.EXPERT and not member.is_verified
    assert SocialAccount.objects.get(user=member).provider == "env-trust"


def test_only_the_strict_provider_answers_organisation_sign_in():
    from allauth.socialaccount.providers import registry
    from django.urls import resolve

    from community.accounts.sso import views

    assert resolve("/accounts/oidc/any/login/callback/").func is views.callback
    assert "openid_connect" not in {cls.id for cls in registry.get_class_list()}
