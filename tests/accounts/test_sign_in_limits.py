"""One failure counter for every way to sign in: after too many wrong passwords, even the right
one is refused, with the wait shown, on the members' form and the admin's alike."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

RIGHT = "pw-Example-1234"


@pytest.fixture
def staff_member():
    member = make_user(role="staff", email="sam@example.org", is_staff=True, is_superuser=True)
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    return member


def _members_form(client, password):
    return client.post(reverse("account_login"), {"login": "sam@example.org", "password": password})


def _admin_form(client, password):
    return client.post(
        reverse("admin:login"), {"username": "sam@example.org", "password": password}
    )


def _assert_refused_with_the_wait(response) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert "Too many attempts to sign in" in body and "please wait" in body
    assert "sam@example.org" in body  # what they typed is kept


@pytest.mark.parametrize("sign_in", [_members_form, _admin_form], ids=["members", "admin"])
def test_25_wrong_passwords_then_the_right_one_is_refused_with_the_wait(
    client, staff_member, sign_in
):
    for _ in range(25):
        assert sign_in(client, "wrong-password-guess").status_code in (200, 429)
    _assert_refused_with_the_wait(sign_in(client, RIGHT))
    assert "_auth_user_id" not in client.session


def test_the_members_form_and_the_admin_share_one_failure_counter(client, staff_member):
    assert _admin_form(client, RIGHT).status_code == 302  # the right password works at first
    client.logout()
    for _ in range(5):
        assert _members_form(client, "wrong-password-guess").status_code == 200
    _assert_refused_with_the_wait(_admin_form(client, RIGHT))
    _assert_refused_with_the_wait(_members_form(client, RIGHT))
