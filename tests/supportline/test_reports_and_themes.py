from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from community.supportline import actions
from community.supportline.models import ConsultationRequest, Theme
from tests.supportline.builders import make_case, topic

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _closed_case(requester, staff, expert):
    case = make_case(requester)
    actions.triage_case(case=case, actor=staff)
    actions.close_case(case=case, actor=staff, outcome="Advice given")
    return case


def test_report_counts_requests_and_working_day_times_and_exports_csv(
    client, requester, staff, expert
):
    case = _closed_case(requester, staff, expert)
    # Sent on Christmas Eve 2025, answered on 30 Dec, closed on 6 Jan 2026.
    ConsultationRequest.objects.filter(pk=case.pk).update(
        created_at=datetime(2025, 12, 24, 10, tzinfo=LONDON),
        first_responded_at=datetime(2025, 12, 30, 9, tzinfo=LONDON),
        closed_at=datetime(2026, 1, 6, 9, tzinfo=LONDON),
    )
    make_case(requester, stage="exploring")
    actions.answer_survey(case=case, actor=requester, rating=4, would_recommend=True)
    client.force_login(staff)

    page = client.get(reverse("supportline:report"), {"by": "month"}).content.decode()
    assert "2025-12" in page

    response = client.get(reverse("supportline:report_csv"), {"by": "stage"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Stage"
    by_stage = {r[0]: r for r in rows[1:]}
    setting_up = by_stage["Setting up a family hub"]
    # 2 working days to respond (Christmas, Boxing Day and the weekend skipped),
    # 6 to close (1 Jan skipped too), rated 4.
    assert setting_up[1:] == ["1", "0", "1", "0", "2", "6", "4"]
    assert by_stage["Exploring a family hub"][1:5] == ["1", "1", "0", "0"]


def test_report_refuses_an_unknown_grouping_with_a_400(client, staff):
    client.force_login(staff)
    assert client.get(reverse("supportline:report"), {"by": "requester"}).status_code == 400
    assert client.get(reverse("supportline:report_csv"), {"by": "x"}).status_code == 400


def test_themes_refuse_personal_data_and_keep_the_text(client, requester, staff, expert):
    _closed_case(requester, staff, expert)
    client.force_login(staff)
    response = client.post(
        reverse("supportline:themes"),
        {
            "title": "Reaching fathers",
            "summary": "Call Jo on 07700 900123 about SL-2026-00001",
            "topics": [topic().pk],
            "case_count": 1,
            "suggested_use": "event",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "a phone number" in body and "a SupportLine reference" in body
    assert "Call Jo on 07700 900123" in body
    assert not Theme.objects.exists()


def test_themes_are_saved_listed_and_exported_without_personal_data(
    client, requester, staff, expert
):
    case = _closed_case(requester, staff, expert)
    client.force_login(staff)
    response = client.post(
        reverse("supportline:themes"),
        {
            "title": "Reaching fathers",
            "summary": "Several hubs struggle to reach dads; evening sessions helped.",
            "topics": [topic().pk],
            "stage": "delivering",
            "case_count": 1,
            "suggested_use": "resource",
        },
    )
    assert response.status_code == 302
    assert "Reaching fathers" in client.get(reverse("supportline:themes")).content.decode()
    export = client.get(reverse("supportline:themes_csv")).content.decode()
    rows = list(csv.reader(io.StringIO(export)))
    assert rows[1][:5] == [
        "Reaching fathers",
        "Several hubs struggle to reach dads; evening sessions helped.",
        topic().name,
        "Delivering a family hub",
        "1",
    ]
    for private in (case.reference, requester.display_name, requester.email, case.organisation):
        assert private not in export


def test_a_theme_cannot_claim_more_cases_than_are_closed(requester, staff, expert):
    _closed_case(requester, staff, expert)
    with pytest.raises(Exception, match="between 1 and 1"):
        actions.create_theme(
            actor=staff,
            title="Too many",
            summary="Plain words",
            topics=[topic()],
            stage="",
            case_count=5,
            suggested_use="either",
        )


def test_experts_publish_times_and_withdraw_unbooked_ones(client, expert):
    client.force_login(expert)
    response = client.post(
        reverse("supportline:availability"), {"starts_at": "2099-06-02T10:00", "minutes": "60"}
    )
    assert response.status_code == 302
    slot = expert.availability_slots.get()
    assert slot.ends_at - slot.starts_at == timedelta(hours=1)
    overlapping = client.post(
        reverse("supportline:availability"), {"starts_at": "2099-06-02T10:30", "minutes": "30"}
    )
    assert overlapping.status_code == 400 and "overlaps" in overlapping.content.decode()
    past = client.post(
        reverse("supportline:availability"), {"starts_at": "2000-01-01T10:00", "minutes": "30"}
    )
    assert past.status_code == 400
    client.post(reverse("supportline:withdraw_slot", args=[slot.pk]))
    assert not expert.availability_slots.exists()
