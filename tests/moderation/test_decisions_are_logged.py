"""Every moderation decision goes through the action that logs it, whatever page it starts on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.accounts.actions import SYSTEM_USERNAME, system_member
from community.forum import actions as forum_actions
from community.forum.models import Post, Status, Thread
from community.moderation import actions
from community.moderation.models import ModerationLog, ReviewItem
from notifications.models import Notification
from tests.factories import any_topic, make_moderator, make_thread, make_user, premoderated_space

pytestmark = pytest.mark.django_db


def test_a_refused_body_leaves_the_title_as_it_was(client):
    author = make_user()
    thread = make_thread(author=author, title="The title before the edit")
    client.force_login(author)
    response = client.post(
        reverse("forum:edit_post", args=[thread.posts.get(number=1).pk]),
        {"thread-title": "A new title that is long enough", "thread-topic": any_topic().pk,
         "thread-tags": "", "source": "x", "reason": ""},
    )  # fmt: skip
    assert response.status_code == 400
    thread.refresh_from_db()
    assert thread.title == "The title before the edit"


def test_title_and_first_post_change_together(client):
    author = make_user()
    thread = make_thread(author=author, title="The title before the edit")
    first = thread.posts.get(number=1)
    forum_actions.edit_opening_post(
        editor=author, post=first, title="The title after the edit", topic=any_topic(), tags=[],
        source="A new opening post with enough words in it",
    )  # fmt: skip
    thread.refresh_from_db()
    first.refresh_from_db()
    assert thread.title == "The title after the edit" and "new opening post" in first.source


def test_approving_from_the_thread_page_logs_and_clears_the_queue(client, committed):
    thread = make_thread(author=make_user(role="parent_carer"), space=premoderated_space())
    post = thread.posts.get(number=1)
    item = ReviewItem.objects.get(post=post, state=ReviewItem.State.PENDING)
    moderator = make_moderator()
    client.force_login(moderator)
    with committed():
        response = client.post(reverse("moderation:approve_post", args=[post.pk]))
    assert response.status_code == 302
    post.refresh_from_db()
    item.refresh_from_db()
    assert post.status == Status.PUBLISHED
    assert item.state == ReviewItem.State.APPROVED and item.resolved_by == moderator
    assert ModerationLog.objects.filter(
        action="review.approve", target_type="post", target_id=post.pk, actor=moderator
    ).exists()


def test_members_cannot_approve_from_the_thread_page(client):
    thread = make_thread(author=make_user(role="parent_carer"), space=premoderated_space())
    post = thread.posts.get(number=1)
    client.force_login(make_user())
    assert client.post(reverse("moderation:approve_post", args=[post.pk])).status_code == 404
    post.refresh_from_db()
    assert post.status == Status.HELD


def test_a_moderators_edit_of_a_held_post_is_logged():
    thread = make_thread(author=make_user(role="parent_carer"), space=premoderated_space())
    post = thread.posts.get(number=1)
    moderator = make_moderator()
    forum_actions.edit_post(editor=moderator, post=post, source="Tidied by a moderator here")
    entry = ModerationLog.objects.get(action="post.edited", target_id=post.pk)
    assert entry.actor == moderator


def test_due_timer_notes_are_credited_to_the_system_member_who_cannot_sign_in(client):
    make_user(is_superuser=True)  # a superuser exists, and still is not credited
    thread = make_thread()
    at = timezone.now() + timedelta(hours=1)
    actions.set_timer(actor=make_moderator(), thread=thread, action="close", at=at)
    assert actions.run_due_timers(now=at + timedelta(minutes=1)) == 1
    note = Post.objects.filter(thread=thread, kind=Post.Kind.NOTE).order_by("-number").first()
    assert note.author.username == SYSTEM_USERNAME
    system = system_member()
    assert system.pk == note.author_id and not system.is_active
    assert not system.has_usable_password()
    assert not client.login(username=SYSTEM_USERNAME, password="")


def test_moderator_notes_lock_the_thread_while_they_take_a_number():
    thread = make_thread()
    with CaptureQueriesContext(connection) as queries:
        note = actions.add_moderator_note(actor=make_moderator(), thread=thread, text="Moved")
    assert note.number == 2 and Thread.objects.get(pk=thread.pk).highest_post_number == 2
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


def test_slow_mode_and_timer_lock_the_thread():
    thread = make_thread()
    moderator = make_moderator()
    with CaptureQueriesContext(connection) as slow_mode:
        actions.set_slow_mode(actor=moderator, thread=thread, seconds=600)
    with CaptureQueriesContext(connection) as timer:
        actions.set_timer(
            actor=moderator, thread=thread, action="close", at=timezone.now() + timedelta(days=1)
        )
    thread.refresh_from_db()
    assert thread.slow_mode_seconds == 600 and thread.timer_action == "close"
    if connection.features.has_select_for_update:  # SQLite has no row locks; CI runs PostgreSQL
        for queries in (slow_mode, timer):
            assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries[:3])


def test_hidden_post_notification_and_email_lead_to_its_status_and_the_appeal_form(
    client, committed, mailoutbox
):
    author = make_user()
    post = make_thread(author=author).posts.get(number=1)
    actions.flag_post(flagger=make_user(), post=post, reason="inappropriate")
    item = ReviewItem.objects.get(post=post)
    with committed():
        actions.resolve_review_item(
            moderator=make_moderator(), item=item, decision="hide", reason="Off topic"
        )
    appeal_url = reverse("privacy:appeal", args=[post.pk])
    told = Notification.objects.get(user=author, kind="post_hidden")
    assert told.data["url"] == appeal_url
    assert any(appeal_url in m.body and m.to == [author.email] for m in mailoutbox)
    client.force_login(author)
    page = client.get(appeal_url).content.decode()
    assert "Hidden by a moderator" in page and "Off topic" in page
    assert "Send appeal" in page and "deleted" not in page.lower()


def test_the_review_queue_links_to_appeals(client):
    client.force_login(make_moderator())
    page = client.get(reverse("moderation:queue")).content.decode()
    assert reverse("privacy:appeals") in page


def test_a_new_account_waits_on_a_plain_page_and_is_told_when_approved(
    client, settings, committed, mailoutbox
):
    from community.accounts.models import Region

    settings.NEW_ACCOUNTS_NEED_APPROVAL = True
    with committed():
        response = client.post(reverse("account_signup"), {
            "email": "wait@example.org", "username": "waiter",
            "password1": "a-Long-pass-phrase-42", "password2": "a-Long-pass-phrase-42",
            "display_name": "Waiting Member", "role": "practitioner", "age_band": "26+",
            "home_region": Region.objects.first().pk,
        }, follow=True)  # fmt: skip
    page = response.content.decode()
    assert "waiting for approval" in page and "This account is inactive" not in page
    item = ReviewItem.objects.get(kind="new_account")
    mailoutbox.clear()
    with committed():
        actions.resolve_review_item(moderator=make_moderator(), item=item, decision="approve")
    assert Notification.objects.filter(user=item.user, kind="account_approved").exists()
    assert any(m.to == ["wait@example.org"] and "approved" in m.subject for m in mailoutbox)


def test_a_held_post_approved_by_the_forum_leaves_the_queue():
    """The demo seed approves through the forum's action; its queue item must not stay behind
    saying "held for approval" of a published post."""
    thread = make_thread(author=make_user(role="parent_carer"), space=premoderated_space())
    post = thread.posts.get(number=1)
    moderator = make_moderator()
    item = ReviewItem.objects.get(post=post, kind=ReviewItem.Kind.HELD_POST)

    forum_actions.approve_post(moderator=moderator, post=post)

    item.refresh_from_db()
    assert item.state == ReviewItem.State.APPROVED and item.resolved_by == moderator
    assert not ReviewItem.objects.filter(post=post, state=ReviewItem.State.PENDING).exists()
