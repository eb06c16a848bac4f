"""A case is private to its requester, the assigned expert and SupportLine staff, on every
read path; everyone else gets a 404, as if it did not exist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.supportline import actions, emails, permissions
from community.supportline.models import ConsultationRequest
from notifications.models import Notification
from tests.factories import make_moderator, make_user
from tests.supportline.builders import make_case, make_expert, make_slot

pytestmark = pytest.mark.django_db

SECRET = "Our commissioning budget is being cut by 40 percent"


@pytest.fixture
def booked_case(requester, staff, expert, committed):
    with committed():
        case = make_case(requester, question=f"{SECRET}: how do we protect outreach?")
        actions.triage_case(case=case, actor=staff)
        actions.assign_expert(case=case, actor=staff, expert=expert)
        actions.book_slot(case=case, actor=requester, slot=make_slot(expert))
        actions.post_message(case=case, author=requester, source=f"More detail: {SECRET}")
    return ConsultationRequest.objects.get(pk=case.pk)


def _outsiders():
    other_requester = make_user(role="commissioner", display_name="Other Requester")
    make_case(other_requester)
    staff_not_in_group = make_user(role="staff", display_name="Events Staff")
    return {
        "another requester": other_requester,
        "a member": make_user(),
        "a moderator": make_moderator(),
        "centre staff outside SupportLine": staff_not_in_group,
        "another expert": make_expert(display_name="Other Expert"),
    }


READ_PATHS = ["case", "confirmation", "case_messages", "invitation_ics"]
WRITE_PATHS = {
    "reply": {"source": "Let me in"},
    "take": {},
    "triage": {"note": ""},
    "assign": {"expert": "1"},
    "decline": {"reason": "no"},
    "close": {"outcome": "done"},
    "book": {"slot": "1"},
    "survey": {"rating": "5", "would_recommend": "yes"},
}


def test_every_case_path_is_a_404_for_everyone_outside_the_case(client, booked_case):
    for who, outsider in _outsiders().items():
        client.force_login(outsider)
        for name in READ_PATHS:
            response = client.get(reverse(f"supportline:{name}", args=[booked_case.reference]))
            assert response.status_code == 404, (who, name)
            assert SECRET not in response.content.decode()
        for name, data in WRITE_PATHS.items():
            response = client.post(
                reverse(f"supportline:{name}", args=[booked_case.reference]), data
            )
            assert response.status_code == 404, (who, name)
        listing = client.get(reverse("supportline:my_requests")).content.decode()
        assert booked_case.reference not in listing


def test_visitors_are_sent_to_sign_in_and_shown_nothing(client, booked_case):
    for name in READ_PATHS:
        response = client.get(reverse(f"supportline:{name}", args=[booked_case.reference]))
        assert response.status_code == 302 and "/accounts/login/" in response.url
        assert SECRET not in response.content.decode()


def test_the_requester_the_expert_and_supportline_staff_can_read_it(
    client, booked_case, requester, staff, expert
):
    for person in (requester, staff, expert):
        client.force_login(person)
        for name in ("case", "case_messages", "invitation_ics"):
            response = client.get(reverse(f"supportline:{name}", args=[booked_case.reference]))
            assert response.status_code == 200, (person, name)
        page = client.get(booked_case.get_absolute_url())
        assert SECRET in page.content.decode()
        assert page["X-Robots-Tag"] == "noindex"


def test_staff_pages_are_a_404_for_everyone_but_supportline_staff(
    client, booked_case, expert, requester
):
    paths = ["queue", "report", "report_csv", "themes", "themes_csv"]
    for who, person in {**_outsiders(), "the expert": expert, "the requester": requester}.items():
        client.force_login(person)
        for name in paths:
            assert client.get(reverse(f"supportline:{name}")).status_code == 404, (who, name)


def test_expert_availability_is_only_for_experts(client, requester):
    client.force_login(requester)
    assert client.get(reverse("supportline:availability")).status_code == 404


def test_notifications_about_a_case_reach_only_people_who_can_see_it(
    booked_case, requester, staff, expert
):
    outsiders = _outsiders()
    told = set(
        Notification.objects.filter(data__reference=booked_case.reference).values_list(
            "user_id", flat=True
        )
    )
    assert told <= {requester.pk, staff.pk, expert.pk}
    assert told & {o.pk for o in outsiders.values()} == set()
    viewers = set(permissions.viewers_of_case(booked_case).values_list("pk", flat=True))
    assert viewers == {requester.pk, staff.pk, expert.pk}


def test_a_case_email_is_not_sent_to_someone_who_may_not_see_it(booked_case, mailoutbox):
    stranger = make_user()
    mailoutbox.clear()
    assert emails.send_case_update.call(booked_case.pk, stranger.pk, "anything") is False
    assert mailoutbox == []


def test_cases_never_appear_in_forum_lists_or_profiles(client, booked_case, requester, staff):
    for person in (requester, staff):
        client.force_login(person)
        for path in ["/", "/new/", "/top/", "/spaces/", requester.get_absolute_url()]:
            body = client.get(path).content.decode()
            assert SECRET not in body and booked_case.reference not in body, path


def test_another_requesters_own_list_shows_only_their_cases(client, requester, booked_case):
    other = make_user(role="commissioner")
    theirs = make_case(other)
    client.force_login(other)
    body = client.get(reverse("supportline:my_requests")).content.decode()
    assert theirs.reference in body and booked_case.reference not in body


def test_visible_cases_matches_can_view_case(booked_case, requester, staff, expert):
    people = [requester, staff, expert, *_outsiders().values()]
    for person in people:
        in_list = permissions.visible_cases(person).filter(pk=booked_case.pk).exists()
        assert in_list == permissions.can_view_case(person, booked_case), person
