import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from community.accounts.models import Region
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _signup_data(**overrides):
    data = {
        "email": "new.member@example.org",
        "username": "newmember",
        "password1": "a-Long-pass-phrase-42",
        "password2": "a-Long-pass-phrase-42",
        "display_name": "New Member",
        "role": "practitioner",
        "age_band": "26+",
        "home_region": Region.objects.get(slug="london").pk,
        "organisation": "Hub team",
    }
    data.update(overrides)
    return data


def test_signup_needs_email_verification_then_signs_in(client, mailoutbox):
    response = client.post(reverse("account_signup"), _signup_data())
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newmember")
    assert (user.display_name, user.role, user.home_region.slug) == (
        "New Member",
        "practitioner",
        "london",
    )
    assert len(mailoutbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mailoutbox[0].body).group(1)
    assert client.get(reverse("forum:new")).status_code == 302  # not signed in until verified
    client.post(link)
    assert client.get(reverse("forum:new")).status_code == 200


def test_under_13s_are_refused_kindly(client):
    response = client.post(reverse("account_signup"), _signup_data(age_band="under-13"))
    body = response.content.decode()
    assert response.status_code == 200 and "13 or over" in body and "Childline" in body
    assert not get_user_model().objects.filter(username="newmember").exists()


def test_minor_age_band_makes_a_minor_account(client):
    client.post(reverse("account_signup"), _signup_data(age_band="13-15", role="young_person"))
    assert get_user_model().objects.get(username="newmember").is_minor


def test_signup_cannot_claim_staff_roles(client):
    response = client.post(reverse("account_signup"), _signup_data(role="moderator"))
    assert (
        response.status_code == 200
        and not get_user_model().objects.filter(username="newmember").exists()
    )


def test_password_reset_sends_an_email(client, mailoutbox):
    make_user(username="forgetful", email="forgetful@example.org")
    client.post(reverse("account_reset_password"), {"email": "forgetful@example.org"})
    assert len(mailoutbox) == 1 and "password" in mailoutbox[0].subject.lower()


def test_login_with_email_and_password(client):
    from allauth.account.models import EmailAddress

    user = make_user(username="signer", email="signer@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(
        reverse("account_login"), {"login": "signer@example.org", "password": "pw-Example-1234"}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:preferences")).status_code == 200


def test_preferences_change_display_name_but_not_role(client):
    user = make_user(role="parent_carer")
    client.force_login(user)
    client.post(reverse("accounts:preferences"), {"display_name": "Pseudonym", "role": "staff"})
    user.refresh_from_db()
    assert user.display_name == "Pseudonym" and user.role == "parent_carer"


def test_signup_answers_the_same_for_a_hidden_childs_username_as_for_an_adults(client):
    make_user(username="quietchild", role="young_person", age_band="13-15")
    make_user(username="openadult")
    answers = []
    for n, taken in enumerate(["quietchild", "openadult"]):
        response = client.post(
            reverse("account_signup"),
            _signup_data(username=taken, email=f"someone{n}@example.org"),
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "already exists" not in body
        answers.append(body.count("That username is not available. Please choose another."))
    assert answers == [2, 2]  # once in the error summary, once beside the field
