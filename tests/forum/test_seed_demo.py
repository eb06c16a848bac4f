"""`seed_demo` shows all three services to the demo logins, and running it again changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from community.library.models import Credit, Resource
from community.supportline.models import ConsultationRequest
from community.supportline.permissions import is_supportline_staff
from community.training.models import Event, Proposal

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_fills_every_service_once_and_prints_usernames(client):
    output = _seed()
    counts = (
        Event.objects.count(),
        Proposal.objects.count(),
        Resource.objects.exclude(current_version=None).count(),
        ConsultationRequest.objects.count(),
    )
    assert _seed() and counts == (
        Event.objects.count(),
        Proposal.objects.count(),
        Resource.objects.exclude(current_version=None).count(),
        ConsultationRequest.objects.count(),
    )
    assert " alex\n" in output and "alex@demo.familyhubs.example" in output

    # Events: upcoming, national and regional, one full with a waitlist.
    assert Event.objects.filter(region__isnull=True).exists()
    assert Event.objects.filter(region__isnull=False).exists()
    full = Event.objects.get(waitlist_count__gt=0)
    assert full.confirmed_count == full.capacity
    # Proposals with votes from more than their proposer.
    assert Proposal.objects.filter(support_count__gt=1).count() == Proposal.objects.count() >= 3
    # Library: published resources with evidence ratings, one co-produced with a given credit.
    published = Resource.objects.exclude(current_version=None)
    assert published.exclude(evidence_rating="not_rated").exists()
    assert published.filter(type="co_produced", credits__consent=Credit.Consent.GIVEN).exists()
    # SupportLine: staff in the group, an expert with free slots, a case in every status.
    from community.accounts.models import User

    alex, expert = User.objects.get(username="alex"), User.objects.get(username="dr-ellis")
    assert is_supportline_staff(alex)
    assert expert.expert_profile.is_active and expert.availability_slots.exists()
    assert set(ConsultationRequest.objects.values_list("status", flat=True)) == set(
        ConsultationRequest.Status.values
    )
    # Centre staff can open the admin and manage the network's data there.
    client.force_login(alex)
    page = client.get("/admin/")
    assert page.status_code == 200 and b"/admin/supportline/expertprofile/" in page.content
    assert b"/admin/accounts/user/" not in page.content


def test_commissioners_are_credited_as_commissioners(django_user_model):
    from community.library.actions import CREDIT_ROLE_FOR_USER_ROLE

    assert CREDIT_ROLE_FOR_USER_ROLE["commissioner"] == Credit.Role.COMMISSIONER
