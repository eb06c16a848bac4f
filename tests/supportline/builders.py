"""Builders for SupportLine test data; writes go through the actions."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from community.accounts.models import LocalAuthority, Region
from community.forum.models import Topic
from community.supportline import actions
from community.supportline.models import AvailabilitySlot, ExpertProfile
from community.supportline.permissions import SUPPORTLINE_GROUP
from tests.factories import make_user


def topic(slug: str | None = None) -> Topic:
    return Topic.objects.get(slug=slug) if slug else Topic.objects.order_by("slug").first()


def make_supportline_staff(**fields):
    user = make_user(role="staff", **fields)
    user.groups.add(Group.objects.get(name=SUPPORTLINE_GROUP))
    return user


def make_expert(topics=None, **fields):
    user = make_user(role="expert", **fields)
    profile = ExpertProfile.objects.create(user=user)
    profile.specialisms.set(topics or [topic()])
    return user


def request_data(**overrides) -> dict:
    la = LocalAuthority.objects.select_related("region").order_by("name").first()
    data = {
        "organisation": "Hubtown Council",
        "local_authority": la,
        "region": la.region,
        "stage": "setting_up",
        "question": "How do we join up **midwifery** and our start-for-life offer?",
        "urgency": "routine",
        "preferred_contact": "email",
        "contact_phone": "",
        "preferred_times": "Tuesday mornings",
    }
    data.update(overrides)
    return data


def make_case(requester, *, topics=None, **overrides):
    return actions.submit_request(
        requester=requester, data=request_data(**overrides), topics=topics or [topic()]
    )


def make_slot(expert, *, days: int = 5, hour: int = 10) -> AvailabilitySlot:
    start = (timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return actions.add_slot(expert=expert, starts_at=start, ends_at=start + timedelta(hours=1))


def any_region() -> Region:
    return Region.objects.order_by("name").first()
