"""A signed-in request reads its session and its member in one cache round trip
(community/accounts/sessions.py), and never gets another member's row or a stale one."""

import time

import pytest

from community.accounts import sessions
from community.accounts.membercache import forget_member, member_cache_key
from tests.factories import make_user
from tests.harness import recorded_cache_reads

pytestmark = pytest.mark.django_db


def _reads(client, url="/"):
    return recorded_cache_reads(client, url)


def test_the_session_and_its_member_are_read_together(client):
    member = make_user(display_name="Together Reader")
    client.force_login(member)
    client.get("/")  # the process learns whose session it is; the row is cached
    response, gets, batches = _reads(client)
    assert "Together Reader" in response.content.decode()
    session_batch = next(b for b in batches if member_cache_key(member.pk) in b)
    assert any("sessions" in key for key in session_batch)
    assert member_cache_key(member.pk) not in gets


def test_a_changed_member_is_read_afresh_not_from_the_handover(client):
    member = make_user(display_name="Before")
    client.force_login(member)
    client.get("/")
    member.display_name = "After"
    member.save()  # forgets the cached row
    assert "After" in client.get("/").content.decode()


def test_a_suspended_member_loses_the_session_whatever_the_process_remembers(client):
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    member = make_user(display_name="Soon Suspended")
    client.force_login(member)
    client.get("/")
    get_user_model().objects.filter(pk=member.pk).update(
        suspended_until=timezone.now() + timedelta(days=1)
    )
    forget_member(member.pk)
    page = client.get("/").content.decode()
    assert "Soon Suspended" not in page


def test_a_handed_over_row_is_only_for_the_member_the_session_names(client):
    alice, bea = make_user(display_name="Alice Reader"), make_user(display_name="Bea Reader")
    client.force_login(alice)
    client.get("/")
    # The process's memory of the session is wrong (say, an older one): bea's row is read
    # with it, but the session names alice, so alice is who the page is for.
    key = client.cookies["sessionid"].value
    sessions._members_by_session[key] = str(bea.pk)
    client.get("/")  # reads bea's row with the session, and hands it to nobody
    page = client.get("/").content.decode()
    assert "Alice Reader" in page and "Bea Reader" not in page
    assert sessions.take_prefetched_member(bea.pk) is None  # nothing left over


def test_another_members_handover_is_never_taken():
    alice, bea = make_user(), make_user()
    sessions._handover.member = (alice.pk, alice, time.monotonic())
    assert sessions.take_prefetched_member(bea.pk) is None
    assert sessions.take_prefetched_member(alice.pk) is None  # taken once, then gone
