from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.forum import actions as forum_actions
from community.forum.models import Post, Thread
from community.moderation import actions
from community.moderation.models import ModerationLog
from tests.factories import make_moderator, make_thread, make_user, national

pytestmark = pytest.mark.django_db


def test_closing_logs_notes_and_stops_member_replies():
    moderator = make_moderator(display_name="Mod Morgan")
    thread = make_thread()
    actions.set_thread_status(
        actor=moderator, thread=thread, status="closed", enabled=True, reason="Resolved"
    )
    thread.refresh_from_db()
    assert thread.is_closed
    note = Post.objects.get(thread=thread, kind="note")
    assert note.text == "Mod Morgan closed this thread: Resolved"
    entry = ModerationLog.objects.get()
    assert (entry.action, entry.reason, entry.before["is_closed"], entry.after["is_closed"]) == (
        "thread.closed",
        "Resolved",
        False,
        True,
    )
    with pytest.raises(PermissionDenied):
        forum_actions.create_post(author=make_user(), thread=thread, source="Still want to reply")


def test_members_cannot_use_thread_tools():
    with pytest.raises(PermissionDenied):
        actions.set_thread_status(
            actor=make_user(), thread=make_thread(), status="closed", enabled=True
        )


def test_archived_threads_refuse_replies_edits_and_reactions_even_from_moderators():
    moderator = make_moderator()
    author = make_user()
    thread = make_thread(author=author)
    actions.set_thread_status(actor=moderator, thread=thread, status="archived", enabled=True)
    thread.refresh_from_db()
    with pytest.raises(PermissionDenied):
        forum_actions.create_post(author=moderator, thread=thread, source="Late reply")
    with pytest.raises(PermissionDenied):
        forum_actions.edit_post(editor=author, post=thread.posts.get(number=1), source="Changed")
    with pytest.raises(PermissionDenied):
        forum_actions.toggle_reaction(
            user=make_user(), post=thread.posts.get(number=1), kind="like"
        )


def test_unlisted_threads_leave_lists_but_open_by_link(client):
    thread = make_thread(title="Quietly unlisted thread")
    actions.set_thread_status(
        actor=make_moderator(), thread=thread, status="visible", enabled=False
    )
    assert "Quietly unlisted thread" not in client.get(reverse("forum:latest")).content.decode()
    assert client.get(thread.get_absolute_url()).status_code == 200


def test_global_pin_leads_the_latest_list_and_expires():
    old = make_thread(title="An older pinned announcement")
    make_thread(title="A newer ordinary thread")
    until = timezone.now() + timedelta(days=2)
    actions.set_thread_status(
        actor=make_moderator(),
        thread=old,
        status="pinned",
        enabled=True,
        globally=True,
        until=until,
    )
    from community.forum import selectors

    listing = selectors.latest_threads(viewer=make_user())
    assert listing.threads[0].pk == old.pk
    assert actions.expire_pins(now=until + timedelta(seconds=1)) == 1
    old.refresh_from_db()
    assert not old.is_pinned and ModerationLog.objects.filter(action="thread.pin_expired").exists()


def test_pin_in_the_past_is_refused():
    with pytest.raises(ValidationError):
        actions.set_thread_status(
            actor=make_moderator(),
            thread=make_thread(),
            status="pinned",
            enabled=True,
            until=timezone.now(),
        )


def test_moderation_log_is_append_only():
    actions.set_thread_status(
        actor=make_moderator(), thread=make_thread(), status="closed", enabled=True
    )
    entry = ModerationLog.objects.get()
    entry.reason = "rewritten history"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_thread_tools_form_for_moderators(client):
    thread = make_thread(space=national())
    client.force_login(make_moderator())
    assert "Moderator tools" in client.get(thread.get_absolute_url()).content.decode()
    response = client.post(
        reverse("moderation:thread_status", args=[thread.pk]),
        {"action": "closed:on", "reason": "Done"},
    )
    assert response.status_code == 302
    assert Thread.objects.get(pk=thread.pk).is_closed
    page = client.get(thread.get_absolute_url() + "?page=1").content.decode()
    assert "closed this thread: Done" in page
    assert (
        client.post(
            reverse("moderation:thread_status", args=[thread.pk]), {"action": "explode"}
        ).status_code
        == 400
    )


def test_thread_tools_form_refuses_members(client):
    thread = make_thread()
    client.force_login(make_user())
    assert "Moderator tools" not in client.get(thread.get_absolute_url()).content.decode()
    assert (
        client.post(
            reverse("moderation:thread_status", args=[thread.pk]), {"action": "closed:on"}
        ).status_code
        == 403
    )
