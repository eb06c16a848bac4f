"""One function answers each question: which threads a list may show, who may restore a post,
and what a member's followed threads may still name."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from community.forum import actions, permissions
from community.forum.models import Post, Thread
from community.moderation import actions as moderation_actions
from notifications import actions as notification_actions
from notifications.models import Level, Subscription
from tests.factories import make_moderator, make_thread, make_user, private_group

pytestmark = pytest.mark.django_db


def _unlist(thread: Thread) -> None:
    moderation_actions.set_thread_status(
        actor=make_moderator(), thread=thread, status="visible", enabled=False
    )


def test_listable_threads_and_is_listable_agree_and_leave_unlisted_out():
    listed = make_thread(title="A listed thread for everyone")
    unlisted = make_thread(title="An unlisted thread by link only")
    _unlist(unlisted)
    unlisted.refresh_from_db()
    private = make_thread(space=private_group(), title="A thread in a private group")
    for user in (AnonymousUser(), make_user(), make_moderator()):
        listable = set(permissions.listable_threads(user).values_list("pk", flat=True))
        for thread in Thread.objects.select_related("space"):
            assert (thread.pk in listable) == permissions.is_listable(user, thread)
        posts = set(permissions.listable_posts(user).values_list("thread_id", flat=True))
        assert posts == listable
    member = make_user()
    assert permissions.is_listable(member, listed)
    assert not permissions.is_listable(member, unlisted) and not permissions.is_listable(
        member, private
    )
    assert permissions.is_listable(make_moderator(), unlisted)


def test_unlisted_threads_stay_out_of_search_and_feeds(client, committed):
    with committed():
        thread = make_thread(title="Quietly unlisted marmalade", source="Marmalade recipes here")
        _unlist(thread)
    assert "marmalade" not in client.get(reverse("feeds:latest")).content.decode().lower()
    page = client.get(reverse("search:search"), {"q": "marmalade"}).content.decode()
    assert thread.get_absolute_url() not in page
    assert client.get(thread.get_absolute_url()).status_code == 200  # still opens by link


def test_the_restore_button_and_the_restore_action_follow_one_rule(client):
    author = make_user()
    thread = make_thread(author=author)
    actions.create_post(author=author, thread=thread, source="A reply a moderator deleted")
    post = thread.posts.get(number=2)
    former_moderator = make_moderator()
    actions.delete_post(actor=former_moderator, post=post)
    former_moderator.role = "practitioner"
    former_moderator.save(update_fields=["role"])
    post.refresh_from_db()
    assert not permissions.can_restore_post(former_moderator, post)
    assert not permissions.can_restore_post(author, post)  # a moderator deleted it
    with pytest.raises(PermissionDenied):
        actions.restore_post(actor=former_moderator, post=post)
    client.force_login(former_moderator)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert reverse("forum:restore_post", args=[post.pk]) not in page
    assert permissions.can_restore_post(make_moderator(), post)


def test_preferences_never_name_a_followed_thread_the_member_can_no_longer_read(client):
    member = make_user()
    thread = make_thread(title="Followed then made private thread")
    notification_actions.set_level(
        user=member, target="thread", target_id=thread.pk, level=Level.WATCHING
    )
    moderation_actions.move_thread(
        actor=make_moderator(), thread=thread, space=private_group(), topic=thread.topic
    )
    client.force_login(member)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Followed then made private thread" not in page
    assert not Subscription.objects.filter(user=member, target="thread").exists()


def test_the_job_forgets_levels_for_threads_members_can_no_longer_read():
    member, moderator = make_user(), make_moderator()
    kept = make_thread()
    lost = make_thread()
    for thread in (kept, lost):
        notification_actions.set_level(
            user=member, target="thread", target_id=thread.pk, level=Level.WATCHING
        )
    notification_actions.set_level(
        user=moderator, target="thread", target_id=lost.pk, level=Level.WATCHING
    )
    first = Post.objects.get(thread=lost, number=1)
    moderation_actions.flag_post(flagger=make_user(), post=first, reason="inappropriate")
    item = moderation_actions.ReviewItem.objects.get(post=first)
    moderation_actions.resolve_review_item(moderator=moderator, item=item, decision="hide")
    # The member's level goes (and so does the author's, who cannot read a hidden thread).
    assert notification_actions.forget_all_unreadable_subscriptions() == 2
    left = set(Subscription.objects.filter(target="thread").values_list("user_id", "target_id"))
    assert (member.pk, lost.pk) not in left and (lost.author_id, lost.pk) not in left
    assert (member.pk, kept.pk) in left
    assert (moderator.pk, lost.pk) in left  # moderators still read hidden threads
