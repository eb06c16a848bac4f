"""The training part of the demo: upcoming events (one full, with a waitlist) and proposals."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from community.accounts.models import Region
from community.forum.models import Topic

from . import actions
from .models import Event, Proposal

EVENTS = [
    # title, days ahead, hour, region slug (None: national), format, capacity, topic slug
    ("Co-producing your Start for Life offer with parents", 12, 10, None, "online", 120,
     "start-for-life"),
    ("Infant feeding peer support: London regional workshop", 19, 13, "london", "in_person", 40,
     "infant-feeding"),
    ("Perinatal mental health pathways masterclass", 9, 14, None, "online", 3,
     "perinatal-mental-health"),
    ("Youth voice in family hubs: North West network meeting", 26, 11, "north-west", "hybrid", 30,
     "youth-services"),
]  # fmt: skip
PROPOSALS = [
    ("Working with dads and partners", "parenting-support",
     "Practical ways to reach fathers and partners, from antenatal classes to evening groups."),
    ("Reducing parental conflict: what works", "parental-conflict-relationships",
     "A session on the evidence-based programmes and how hubs have commissioned them."),
    ("Running a parent panel that lasts", "hub-model-access",
     "How to recruit, pay and keep a parent and carer panel for co-production."),
]  # fmt: skip


def seed(*, members: dict) -> str:
    """Schedule the demo events and proposals once; register members for the full event."""
    staff = members["alex"]
    regions = {r.slug: r for r in Region.objects.all()}
    topics = {t.slug: t for t in Topic.objects.all()}
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    added = 0
    for title, days, hour, region, fmt, capacity, topic in EVENTS:
        if Event.objects.filter(title=title).exists():
            continue
        starts = (now + timedelta(days=days)).replace(hour=hour)
        in_person = fmt != "online"
        event = actions.create_event(
            actor=staff,
            details=actions.EventDetails(
                title=title,
                description=f"{title}. Practitioners and leads share what has worked, with time "
                "for questions. Slides and a recording are shared afterwards.",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                capacity=capacity,
                format=fmt,
                region=regions.get(region) if region else None,
                venue="Family Hub, Civic Centre" if in_person else "",
                address="1 High Street" if in_person else "",
                online_url="" if fmt == "in_person" else "https://meet.example/fhn-demo",
                hosts="National Centre for Family Hubs",
                topics=tuple(t for t in [topics.get(topic)] if t),
            ),
        )
        added += 1
        # The small masterclass fills up and keeps a waitlist, so both states can be seen.
        if capacity <= 3:
            practitioners = [
                m for m in members.values() if m.role == "practitioner" and m.username != "priya"
            ]
            for member in practitioners[: capacity + 2]:
                actions.register_for_event(user=member, event=event)
    for title, topic, description in PROPOSALS:
        if Proposal.objects.filter(title=title).exists():
            continue
        proposer = members["tom"]
        proposal = actions.propose_topic(
            user=proposer, title=title, description=description, topic=topics.get(topic)
        )
        for supporter in list(members.values())[: 3 + len(title) % 4]:
            if supporter.pk != proposer.pk and not supporter.is_minor:
                actions.support_proposal(user=supporter, proposal=proposal)
    return f"{added} events scheduled, {Proposal.objects.count()} training proposals."
