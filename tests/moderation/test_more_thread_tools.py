from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from community.forum import actions as forum_actions
from community.forum.models import Post, Space, Thread, Topic
from community.moderation import actions
from tests.factories import (
    add_replies,
    make_moderator,
    make_thread,
    make_user,
    national,
    regional_group,
)

pytestmark = pytest.mark.django_db


def test_move_thread_to_a_regional_group_updates_both_spaces():
    thread = make_thread(space=national())
    add_replies(thread, 2)
    group = regional_group("london")
    topic = Topic.objects.exclude(pk=thread.topic_id).first()
    actions.move_thread(actor=make_moderator(), thread=thread, space=group, topic=topic)
    thread.refresh_from_db()
    assert (thread.space_id, thread.topic_id) == (group.pk, topic.pk)
    assert (
        Space.objects.get(pk=group.pk).post_count == 3
        and Space.objects.get(slug="national").post_count == 0
    )
    assert Post.objects.filter(thread=thread, kind="note").exists()


def test_merge_moves_posts_to_the_end_and_deletes_the_source():
    target = make_thread(title="The main thread here")
    add_replies(target, 2)
    source = make_thread(title="A duplicate thread")
    add_replies(source, 1)
    actions.merge_threads(actor=make_moderator(), source=source, target=target)
    target.refresh_from_db()
    source.refresh_from_db()
    assert source.deleted_at is not None
    numbers = list(
        Post.objects.filter(thread=target, kind="post")
        .order_by("number")
        .values_list("number", flat=True)
    )
    assert numbers == [1, 2, 3, 4, 5] and target.post_count == 5


def test_split_moves_chosen_replies_into_a_new_thread():
    thread = make_thread()
    add_replies(thread, 4)
    new = actions.split_posts(
        actor=make_moderator(),
        thread=thread,
        numbers=[3, 5],
        title="A tangent worth its own thread",
    )
    assert list(new.posts.order_by("number").values_list("number", flat=True)) == [1, 2]
    thread.refresh_from_db()
    assert thread.post_count == 3 and new.post_count == 2
    with pytest.raises(ValidationError):
        actions.split_posts(
            actor=make_moderator(), thread=thread, numbers=[1], title="Cannot take the first post"
        )


def test_slow_mode_limits_members_and_keeps_their_text(client):
    thread = make_thread()
    actions.set_slow_mode(actor=make_moderator(), thread=thread, seconds=600)
    member = make_user()
    forum_actions.create_post(author=member, thread=thread, source="First quick reply")
    with pytest.raises(ValidationError, match="slow mode"):
        forum_actions.create_post(author=member, thread=thread, source="Second too soon")
    client.force_login(member)
    response = client.post(
        reverse("forum:reply", args=[thread.pk]), {"source": "My careful second reply"}
    )
    assert response.status_code == 400 and "My careful second reply" in response.content.decode()


def test_timer_closes_the_thread_when_due():
    thread = make_thread()
    at = timezone.now() + timedelta(hours=1)
    actions.set_timer(actor=make_moderator(), thread=thread, action="close", at=at)
    assert actions.run_due_timers(now=at - timedelta(minutes=1)) == 0
    assert actions.run_due_timers(now=at + timedelta(minutes=1)) == 1
    thread.refresh_from_db()
    assert thread.is_closed and thread.timer_at is None


def test_thread_tool_views(client):
    moderator = make_moderator()
    thread = make_thread()
    add_replies(thread, 3)
    client.force_login(moderator)
    response = client.post(
        reverse("moderation:thread_tool", args=[thread.pk, "split"]),
        {"numbers": "2, 3", "title": "Split off by the view"},
    )
    new = Thread.objects.get(title="Split off by the view")
    assert response["Location"] == new.get_absolute_url() + "?page=1"
    assert (
        client.post(
            reverse("moderation:thread_tool", args=[thread.pk, "merge"]), {"target": "abc"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            reverse("moderation:thread_tool", args=[thread.pk, "slow"]), {"minutes": "5"}
        ).status_code
        == 302
    )
    assert Thread.objects.get(pk=thread.pk).slow_mode_seconds == 300
    client.force_login(make_user())
    assert (
        client.post(
            reverse("moderation:thread_tool", args=[thread.pk, "slow"]), {"minutes": "0"}
        ).status_code
        == 404
    )


def test_a_timer_in_the_past_shows_the_tools_again_with_the_error(client):
    thread = make_thread()
    client.force_login(make_moderator())
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        reverse("moderation:thread_tool", args=[thread.pk, "timer"]),
        {"timer_action": "reopen", "at": past},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error:" in html and 'class="error-summary"' in html
    assert f'href="#timer-at-{thread.pk}">Choose a time in the future.' in html
    assert f'value="{past}" aria-invalid="true"' in html
    assert '<option value="reopen" selected>' in html
    assert Thread.objects.get(pk=thread.pk).timer_at is None


def test_a_merged_threads_address_leads_to_the_thread_it_was_merged_into(client):
    source = make_thread(title="Saturday openings")
    target = make_thread(title="Weekend openings")
    actions.merge_threads(actor=make_moderator(), source=source, target=target)

    for who in (None, make_user(), make_moderator()):
        if who is not None:
            client.force_login(who)
        for url in (source.get_absolute_url(), reverse("forum:thread_short", args=[source.pk])):
            response = client.get(url)
            assert response.status_code == 301, (who, url)
            assert response["Location"] == target.get_absolute_url()


def test_a_thread_merged_into_a_private_one_stays_a_404_for_outsiders(client):
    from tests.factories import private_group

    source = make_thread(title="Saturday openings")
    target = make_thread(title="Group-only weekend openings", space=private_group())
    actions.merge_threads(actor=make_moderator(), source=source, target=target)
    client.force_login(make_user())

    assert client.get(source.get_absolute_url()).status_code == 404
