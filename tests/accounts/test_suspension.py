"""Suspension applies to every way in, and silencing stops every public write, through one rule
each (`can_use_network`, `can_write`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.accounts.permissions import can_message, can_use_network, can_write
from community.conversations import actions as conversation_actions
from community.forum import permissions as forum_permissions
from tests.api.test_api import headers, make_key
from tests.factories import make_moderator, make_thread, make_user

pytestmark = pytest.mark.django_db


def _suspend_quietly(member) -> None:
    """Suspended as the admin form would: the date saved, no session epoch bumped."""
    member.suspended_until = timezone.now() + timedelta(days=7)
    member.save(update_fields=["suspended_until"])


def test_a_suspended_members_api_key_no_longer_reads_or_writes(client):
    member = make_user(username="keyholder")
    thread = make_thread()
    key = make_key(member)
    assert client.get("/notifications.json", **headers(key, "keyholder")).status_code == 200
    _suspend_quietly(member)
    assert not can_use_network(member)
    read = client.get("/notifications.json", **headers(key, "keyholder"))
    assert read.status_code == 403 and "suspended" in read.json()["errors"][0]
    write = client.post(
        "/posts.json", {"raw": "Still here?", "topic_id": thread.pk}, **headers(key, "keyholder")
    )
    assert write.status_code == 403
    assert thread.posts.count() == 1


@pytest.mark.parametrize(
    "backend",
    [
        "community.accounts.backends.MemberBackend",
        "community.accounts.backends.MemberAllauthBackend",
    ],
)
def test_a_suspended_members_session_ends_whichever_backend_signed_them_in(client, backend):
    member = make_user()
    client.force_login(member, backend=backend)
    assert client.get(reverse("forum:new")).status_code == 200
    _suspend_quietly(member)
    assert client.get(reverse("forum:new")).status_code == 302


def test_silencing_stops_every_public_write_but_messages_to_moderators():
    member, other, moderator = make_user(), make_user(), make_moderator()
    thread = make_thread(author=member)
    post = thread.posts.get(number=1)
    others_post = make_thread(author=other).posts.get(number=1)
    assert forum_permissions.can_edit_post(member, post)
    type(member).objects.filter(pk=member.pk).update(
        silenced_until=timezone.now() + timedelta(days=3)
    )
    member.refresh_from_db()
    assert can_use_network(member) and not can_write(member)
    assert not forum_permissions.can_post_in_space(member, thread.space)
    assert not forum_permissions.can_reply(member, thread)
    assert not forum_permissions.can_edit_post(member, post)
    assert not forum_permissions.can_react(member, others_post)
    # The members' rule and the conversations' refusal agree: moderators only.
    assert not can_message(member, other)
    assert conversation_actions.refusal(member, other)
    assert can_message(member, moderator)
    assert conversation_actions.refusal(member, moderator) is None
