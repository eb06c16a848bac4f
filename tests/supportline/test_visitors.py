"""Visitors ask with a short form; they get an account invitation and their request is filed."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from community.supportline.models import ConsultationRequest
from tests.factories import make_user
from tests.supportline.builders import request_data, topic

pytestmark = pytest.mark.django_db


def _visitor_form(**overrides) -> dict:
    data = request_data()
    form = {
        "display_name": "Vic Visitor",
        "email": "vic@hubtown.gov.uk",
        "age_band": "26+",
        "organisation": "Hubtown Council",
        "region": data["region"].pk,
        "local_authority": data["local_authority"].pk,
        "stage": "exploring",
        "topics": [topic().pk],
        "question": "We are thinking about a family hub: where do we start?",
        "urgency": "soon",
    }
    form.update(overrides)
    return form


def test_a_visitor_request_is_filed_under_an_invited_account(client, mailoutbox, committed, staff):
    with committed():
        response = client.post(reverse("supportline:request"), _visitor_form())
    assert response.status_code == 302
    assert "vic@hubtown.gov.uk" in client.get(response.url).content.decode()

    user = get_user_model().objects.get(email="vic@hubtown.gov.uk")
    assert not user.has_usable_password() and user.display_name == "Vic Visitor"
    assert not EmailAddress.objects.get(user=user).verified
    case = ConsultationRequest.objects.get(requester=user)
    assert case.via_invitation and case.status == "new" and case.urgency == "soon"

    # One email: the reference and the invitation link.
    assert [m.to for m in mailoutbox] == [["vic@hubtown.gov.uk"]]
    email = mailoutbox[0]
    assert case.reference in email.subject
    link = re.search(r"http://[^\s]+/supportline/invitation/[^\s]+/", email.body).group(0)
    path = link.split("8000", 1)[1]

    # Opening the link changes nothing; confirming signs in and asks for a password.
    page = client.get(path)
    assert page.status_code == 200 and "Confirm and continue" in page.content.decode()
    assert not EmailAddress.objects.get(user=user).verified
    response = client.post(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/password/set/")
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(case.get_absolute_url()).status_code == 200

    # The link works once.
    client.logout()
    assert client.post(path).status_code == 400


def test_a_visitor_using_a_members_address_files_nothing_and_learns_nothing(
    client, mailoutbox, committed
):
    member = make_user(email="taken@example.org")
    with committed():
        response = client.post(
            reverse("supportline:request"), _visitor_form(email="Taken@example.org")
        )
    assert response.status_code == 302 and response.url == reverse("supportline:visitor_sent")
    assert not ConsultationRequest.objects.exists()
    assert [m.to for m in mailoutbox] == [["taken@example.org"]]
    assert "sign in" in mailoutbox[0].body
    assert get_user_model().objects.filter(email__iexact="taken@example.org").get() == member


def test_the_visitor_form_refuses_children_and_keeps_the_text(client):
    response = client.post(
        reverse("supportline:request"),
        _visitor_form(age_band="13-15", question="Keep me please, I am long"),
    )
    assert response.status_code == 400
    assert "Keep me please, I am long" in response.content.decode()
    assert not get_user_model().objects.filter(email="vic@hubtown.gov.uk").exists()


def test_a_tampered_invitation_link_is_a_400(client):
    response = client.get(reverse("supportline:invitation", args=["not-a-key"]))
    assert response.status_code == 400
    assert "cannot be used" in response.content.decode()


def test_signed_in_members_get_the_full_form(client, requester):
    client.force_login(requester)
    body = client.get(reverse("supportline:request")).content.decode()
    assert "How would you like us to contact you?" in body and "Your age" not in body
    client.logout()
    body = client.get(reverse("supportline:request")).content.decode()
    assert "Your age" in body and "Email address" in body
