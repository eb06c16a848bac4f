"""SupportLine is for adults: a child cannot ask it on any path, and no case ever pairs a child
with an expert. A young person turned away is told plainly where to get help instead."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.supportline import actions, permissions, selectors
from community.supportline.models import ConsultationRequest
from tests.factories import make_user
from tests.supportline.builders import make_case, make_slot, request_data, topic

pytestmark = pytest.mark.django_db


def _assert_points_to_help(body: str) -> None:
    assert "0800 1111" in body and "Childline" in body
    assert "local family hub" in body
    assert reverse("privacy:staying_safe") in body


@pytest.mark.parametrize("age_band", ["13-15", "16-17"])
def test_a_young_member_is_refused_on_the_form_and_told_where_to_get_help(client, age_band):
    child = make_user(role="young_person", age_band=age_band)
    client.force_login(child)
    page = client.get(reverse("supportline:request"))
    assert page.status_code == 403
    _assert_points_to_help(page.content.decode())
    data = request_data()
    form = {
        "organisation": "School",
        "region": data["region"].pk,
        "stage": "exploring",
        "topics": [topic().pk],
        "question": "I would like to talk to an expert about my family please",
        "urgency": "routine",
        "preferred_contact": "email",
    }
    response = client.post(reverse("supportline:request"), form)
    assert response.status_code == 403
    _assert_points_to_help(response.content.decode())
    assert not ConsultationRequest.objects.exists()
    # The SupportLine front page offers them help, not the request form.
    index = client.get(reverse("supportline:index")).content.decode()
    _assert_points_to_help(index)
    assert reverse("supportline:request") not in index


def test_every_way_of_filing_a_request_asks_the_one_rule():
    child = make_user(role="young_person", age_band="16-17")
    assert not permissions.can_request_consultation(child)
    with pytest.raises(PermissionDenied):
        actions.submit_request(requester=child, data=request_data(), topics=[topic()])
    with pytest.raises(ValidationError):
        actions.invite_and_submit(
            email="kid@example.org",
            display_name="Kid",
            age_band="13-15",
            data=request_data(),
            topics=[topic()],
        )
    assert not ConsultationRequest.objects.exists()


@pytest.fixture
def childs_case(requester, staff, expert):
    """A case filed by a member whose age band was later corrected to a child's."""
    case = make_case(requester)
    actions.triage_case(case=case, actor=staff)
    actions.assign_expert(case=case, actor=staff, expert=expert)
    make_slot(expert)
    type(requester).objects.filter(pk=requester.pk).update(age_band="13-15")
    requester.refresh_from_db()
    return ConsultationRequest.objects.select_related("requester").get(pk=case.pk)


def test_a_childs_case_cannot_reach_an_expert_on_any_path(
    client, childs_case, requester, staff, expert
):
    case = childs_case
    # The expert already assigned sees nothing of it and cannot write to the child.
    client.force_login(expert)
    for name in ("case", "case_messages", "invitation_ics"):
        assert client.get(reverse(f"supportline:{name}", args=[case.reference])).status_code == 404
    reply = client.post(reverse("supportline:reply", args=[case.reference]), {"source": "Hi!"})
    assert reply.status_code == 404
    with pytest.raises(PermissionDenied):
        actions.post_message(case=case, author=expert, source="Hello there")
    assert case not in selectors.expert_cases(viewer=expert)
    assert case not in permissions.visible_cases(expert)
    assert expert.pk not in permissions.viewers_of_case(case).values_list("pk", flat=True)
    # Nobody can book a meeting between them, nor close it as the expert.
    assert not permissions.can_book(requester, case)
    assert not permissions.can_close(expert, case)
    # Staff can still read and answer it, but cannot assign it to an expert.
    client.force_login(staff)
    assert client.get(case.get_absolute_url()).status_code == 200
    assert not permissions.can_assign(staff, case)
    ConsultationRequest.objects.filter(pk=case.pk).update(
        status=ConsultationRequest.Status.TRIAGED, assigned_expert=None
    )
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        actions.assign_expert(case=case, actor=staff, expert=expert)
    actions.post_message(case=case, author=staff, source="We will call you with some help.")
