"""The SupportLine part of the demo: staff in the group, an expert with slots, a case per status."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from community.forum.models import Topic

from . import actions
from .models import AvailabilitySlot, ConsultationRequest, ExpertProfile
from .permissions import SUPPORTLINE_GROUP

Status = ConsultationRequest.Status
QUESTIONS = [
    # (final status, requester username, question)
    (Status.NEW, "tom", "We are setting up a perinatal mental health pathway across two hubs. "
     "How have other areas shared the workload between health visiting and the hub team?"),
    (Status.TRIAGED, "priya", "How do other hubs run infant feeding peer support at weekends "
     "without losing volunteers?"),
    (Status.ASSIGNED, "tom", "What should our outcomes framework measure in its first year, and "
     "how do we avoid asking families the same questions twice?"),
    (Status.BOOKED, "priya", "Which validated screening tools work for dads and partners in the "
     "perinatal period, and who should ask them?"),
    (Status.CLOSED, "tom", "How can our Start for Life offer meet the publication requirements "
     "while staying readable for families?"),
    (Status.DECLINED, "priya", "Can you review our whole hub business case before cabinet next week?"),
]  # fmt: skip


def seed(*, members: dict) -> str:
    """Put staff in the SupportLine group, give the expert slots, and file one case per status."""
    staff, expert = members["alex"], members["dr-ellis"]
    staff.groups.add(Group.objects.get_or_create(name=SUPPORTLINE_GROUP)[0])
    topic = Topic.objects.get(slug="perinatal-mental-health")
    profile, _created = ExpertProfile.objects.get_or_create(
        user=expert,
        defaults={"summary": "Perinatal and parent-infant mental health; 15 years in the NHS."},
    )
    profile.specialisms.add(topic, *Topic.objects.filter(slug__in=["start-for-life", "data-outcomes-evaluation", "infant-feeding"]))  # fmt: skip
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    if not AvailabilitySlot.objects.filter(expert=expert, starts_at__gt=now).exists():
        for days in (3, 4, 8, 11):
            starts = (now + timedelta(days=days)).replace(hour=10)
            actions.add_slot(expert=expert, starts_at=starts, ends_at=starts + timedelta(hours=1))
    if ConsultationRequest.objects.exists():
        return f"SupportLine: {ConsultationRequest.objects.count()} cases."
    for status, username, question in QUESTIONS:
        requester = members[username]
        case = actions.submit_request(
            requester=requester,
            data={
                "organisation": requester.organisation or "Family hub team",
                "local_authority": requester.local_authority,
                "region": requester.home_region,
                "stage": "setting_up",
                "question": question,
            },
            topics=[topic],
        )
        if status == Status.NEW:
            continue
        if status == Status.DECLINED:
            actions.decline_case(
                case=case,
                actor=staff,
                reason="SupportLine gives advice on practice; a full business case review is "
                "beyond what we can offer. Your regional adviser can help.",
            )
            continue
        actions.triage_case(case=case, actor=staff, note="Clear question; an expert can help.")
        if status == Status.TRIAGED:
            continue
        actions.assign_expert(case=case, actor=staff, expert=expert)
        if status in (Status.BOOKED, Status.CLOSED):
            free = AvailabilitySlot.objects.filter(
                expert=expert, starts_at__gt=now, case__isnull=True
            ).first()
            actions.book_slot(case=case, actor=requester, slot=free)
            actions.post_message(
                case=case, author=expert, source="Thank you: I have read your question and "
                "will bring two examples from other hubs to our call.",
            )  # fmt: skip
        if status == Status.CLOSED:
            actions.close_case(
                case=case, actor=expert, outcome="Shared three published offers and a checklist."
            )
    return f"SupportLine: {ConsultationRequest.objects.count()} cases, one in each status."
