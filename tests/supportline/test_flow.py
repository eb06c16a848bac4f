"""The full path of a request, from the form to closed and surveyed, through real views."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from icalendar import Calendar

from community.supportline import actions
from community.supportline.models import CaseEvent, CaseMessage, ConsultationRequest
from notifications.models import Notification
from tests.supportline.builders import make_slot, request_data, topic

pytestmark = pytest.mark.django_db


def _form(**overrides) -> dict:
    data = request_data()
    form = {
        **{k: v for k, v in data.items() if k not in ("local_authority", "region")},
        "local_authority": data["local_authority"].pk,
        "region": data["region"].pk,
        "topics": [topic().pk],
        "question": "How do we join up midwifery and our **start-for-life** offer?",
    }
    form.update(overrides)
    return form


def _kinds(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True)
    )


def test_request_to_closed_tells_everyone_who_should_know(
    client, requester, staff, expert, mailoutbox, committed
):
    # The requester fills in the form and gets a reference, on the page and by email.
    client.force_login(requester)
    with committed():
        response = client.post(reverse("supportline:request"), _form())
    case = ConsultationRequest.objects.get(requester=requester)
    assert re.fullmatch(r"SL-\d{4}-\d{5}", case.reference)
    assert response.status_code == 302 and response.url.endswith("/confirmation/")
    page = client.get(response.url).content.decode()
    assert case.reference in page and "Request sent" in page
    assert [m.to for m in mailoutbox] == [[requester.email]]
    assert case.reference in mailoutbox[0].subject and case.get_absolute_url() in mailoutbox[0].body
    assert _kinds(requester) == ["supportline_received"]
    assert _kinds(staff) == ["supportline_new"]
    assert "<strong>start-for-life</strong>" in case.question_html
    mailoutbox.clear()

    # Staff triage it through the case page: the requester is told, in the bell and by email.
    client.force_login(staff)
    with committed():
        response = client.post(reverse("supportline:triage", args=[case.reference]), {"note": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "triaged" and case.owner == staff and case.first_responded_at
    assert _kinds(requester)[-1] == "supportline_update"
    assert mailoutbox[-1].to == [requester.email] and "accepted" in mailoutbox[-1].subject

    # Staff assign the expert, who specialises in the case's topic.
    with committed():
        client.post(reverse("supportline:assign", args=[case.reference]), {"expert": expert.pk})
    case.refresh_from_db()
    assert case.status == "assigned" and case.assigned_expert == expert
    assert _kinds(expert) == ["supportline_assigned"]
    assert "choose a time" in Notification.objects.filter(user=requester).last().data["what"]

    # The expert offers a time; the requester sees it and books it.
    slot = make_slot(expert)
    client.force_login(requester)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Choose a time for your consultation" in page
    mailoutbox.clear()
    with committed():
        response = client.post(
            reverse("supportline:book", args=[case.reference]), {"slot": slot.pk}
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "booked" and case.booked_slot == slot

    # Both get a calendar invitation that parses back to the booked time.
    invited = {tuple(m.to): m for m in mailoutbox}
    assert set(invited) == {(requester.email,), (expert.email,)}
    for message in invited.values():
        name, content, mimetype = message.attachments[0]
        assert name == "consultation.ics" and mimetype.startswith("text/calendar")
        event = Calendar.from_ical(content).walk("VEVENT")[0]
        assert event.decoded("dtstart") == slot.starts_at
        assert event.decoded("dtend") == slot.ends_at
        assert case.reference in str(event["summary"])
        attendees = {str(a).removeprefix("mailto:") for a in event["attendee"]}
        assert attendees == {requester.email, expert.email}
    ics = client.get(reverse("supportline:invitation_ics", args=[case.reference]))
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    assert Calendar.from_ical(ics.content).walk("VEVENT")[0].decoded("dtstart") == slot.starts_at

    # They talk in the private conversation; the message is rendered Markdown.
    with committed():
        client.post(
            reverse("supportline:reply", args=[case.reference]),
            {"source": "Thank you! I will bring our **draft** service map."},
        )
    assert CaseMessage.objects.get(case=case).html.count("<strong>draft</strong>") == 1
    assert _kinds(expert)[-1] == "supportline_message"
    assert _kinds(staff)[-1] == "supportline_message"  # the owner

    # The expert closes it with an outcome; the requester is asked for the survey.
    client.force_login(expert)
    mailoutbox.clear()
    with committed():
        client.post(
            reverse("supportline:close", args=[case.reference]),
            {"outcome": "Agreed a joined-up start-for-life pathway."},
        )
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_at
    assert mailoutbox[-1].to == [requester.email] and "Agreed a joined-up" in mailoutbox[-1].body

    client.force_login(requester)
    assert "How did it go?" in client.get(case.get_absolute_url()).content.decode()
    response = client.post(
        reverse("supportline:survey", args=[case.reference]),
        {"rating": "5", "would_recommend": "yes", "comments": "Very useful"},
    )
    assert response.status_code == 302
    assert case.survey.rating == 5 and case.survey.would_recommend is True
    again = client.post(
        reverse("supportline:survey", args=[case.reference]),
        {"rating": "1", "would_recommend": "no"},
    )
    assert again.status_code == 403

    # Every change is in the append-only audit trail, in order.
    kinds = list(case.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["submitted", "triaged", "assigned", "booked", "closed", "surveyed"]
    event = case.events.first()
    event.note = "rewritten"
    with pytest.raises(ValueError):
        event.save()


def test_declining_needs_a_reason_and_tells_the_requester_why(
    client, case, requester, staff, mailoutbox, committed
):
    client.force_login(staff)
    response = client.post(reverse("supportline:decline", args=[case.reference]), {"reason": ""})
    assert response.status_code == 400
    assert "Reason, shown to the requester" in response.content.decode()
    with committed():
        client.post(
            reverse("supportline:decline", args=[case.reference]),
            {"reason": "This is about a single family: please contact your local hub."},
        )
    case.refresh_from_db()
    assert case.status == "declined" and case.first_responded_at
    assert "single family" in mailoutbox[-1].body
    assert Notification.objects.filter(user=requester, kind="supportline_update").exists()
    assert case.events.last().kind == CaseEvent.Kind.DECLINED


def test_a_status_change_out_of_order_is_refused_with_a_reason(client, case, staff, expert):
    client.force_login(staff)
    response = client.post(
        reverse("supportline:assign", args=[case.reference]), {"expert": expert.pk}
    )
    assert response.status_code in (400, 403)
    case.refresh_from_db()
    assert case.status == "new" and case.assigned_expert is None


def test_an_expert_without_the_topic_cannot_be_assigned(case, staff):
    from community.forum.models import Topic
    from tests.supportline.builders import make_expert

    other_topic = Topic.objects.order_by("-slug").first()
    assert other_topic != topic()
    outsider_expert = make_expert(topics=[other_topic])
    actions.triage_case(case=case, actor=staff)
    with pytest.raises(Exception, match="specialises"):
        actions.assign_expert(case=case, actor=staff, expert=outsider_expert)


def test_failed_request_form_keeps_the_text_and_says_what_is_wrong(client, requester):
    client.force_login(requester)
    response = client.post(
        reverse("supportline:request"), _form(topics=[], question="A long enough question here")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and "A long enough question here" in body
    assert not ConsultationRequest.objects.exists()


def test_references_count_up_within_the_year(requester):
    from tests.supportline.builders import make_case

    first, second = make_case(requester), make_case(requester)
    assert int(second.reference[-5:]) == int(first.reference[-5:]) + 1


def test_overdue_cases_are_highlighted_and_their_owner_reminded_once_a_day(
    client, case, staff, mailoutbox, committed
):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    actions.take_case(case=case, actor=staff)
    ConsultationRequest.objects.filter(pk=case.pk).update(
        first_response_due_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(staff)
    queue = client.get(reverse("supportline:queue")).content.decode()
    assert 'class="overdue"' in queue and "Overdue" in queue
    with committed():
        call_command("remind_overdue_cases")
    assert Notification.objects.filter(user=staff, kind="supportline_overdue").count() == 1
    assert mailoutbox[-1].to == [staff.email] and "overdue" in mailoutbox[-1].subject
    with committed():
        call_command("remind_overdue_cases")
    assert Notification.objects.filter(user=staff, kind="supportline_overdue").count() == 1
    assert case.events.filter(kind="reminded").count() == 1
