import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.forum import actions
from notifications import actions as notification_actions
from notifications.models import Level, Notification, Subscription
from tests.factories import (
    make_moderator,
    make_thread,
    make_user,
    national,
    premoderated_space,
    private_group,
)

pytestmark = pytest.mark.django_db


def kinds_for(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True)
    )


def test_reply_mention_and_quote_each_notify_once(committed):
    author = make_user(username="author")
    mentioned = make_user(username="mentioned")
    thread = make_thread(author=author)
    first = thread.posts.get(number=1)
    replier = make_user()
    with committed():
        actions.create_post(
            author=replier,
            thread=thread,
            source=f'[quote="author, post:1, topic:{thread.pk}"]\nhi\n[/quote]\n@mentioned and @author look',
            reply_to=first,
        )
    assert kinds_for(author) == ["mention"]  # mention outranks reply and quote: told once
    assert kinds_for(mentioned) == ["mention"]
    assert kinds_for(replier) == []


def test_notification_rows_roll_back_with_the_post():
    author = make_user()
    thread = make_thread(author=author)
    from django.db import transaction

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            actions.create_post(
                author=make_user(),
                thread=thread,
                source="@x reply",
                reply_to=thread.posts.get(number=1),
            )
            assert Notification.objects.filter(user=author).count() == 1
            raise RuntimeError("the request failed after the post")
    assert not Notification.objects.filter(user=author).exists()


def test_creating_watches_and_replying_tracks():
    author = make_user()
    replier = make_user()
    thread = make_thread(author=author)
    actions.create_post(author=replier, thread=thread, source="A reply here")
    levels = dict(
        Subscription.objects.filter(target="thread", target_id=thread.pk).values_list(
            "user_id", "level"
        )
    )
    assert levels == {author.pk: Level.WATCHING, replier.pk: Level.TRACKING}


def test_watching_author_hears_every_post_and_muted_hears_nothing():
    author = make_user()
    thread = make_thread(author=author)
    muter = make_user(username="muter")
    notification_actions.set_level(
        user=muter, target="thread", target_id=thread.pk, level=Level.MUTED
    )
    actions.create_post(author=make_user(), thread=thread, source="Posting something, @muter")
    assert kinds_for(author) == ["posted"]
    assert kinds_for(muter) == []


def test_watching_a_space_topic_or_tag_hears_of_new_threads():
    space_watcher, topic_watcher = make_user(), make_user()
    notification_actions.set_level(
        user=space_watcher, target="space", target_id=national().pk, level=Level.WATCHING
    )
    from tests.factories import any_topic

    notification_actions.set_level(
        user=topic_watcher, target="topic", target_id=any_topic().pk, level=Level.WATCHING
    )
    make_thread(space=national())
    assert kinds_for(space_watcher) == ["new_thread"] and kinds_for(topic_watcher) == ["new_thread"]


def test_thread_level_overrides_a_watched_space():
    watcher = make_user()
    notification_actions.set_level(
        user=watcher, target="space", target_id=national().pk, level=Level.WATCHING
    )
    thread = make_thread(space=national())
    notification_actions.set_level(
        user=watcher, target="thread", target_id=thread.pk, level=Level.NORMAL
    )
    actions.create_post(author=make_user(), thread=thread, source="Another post")
    assert kinds_for(watcher) == ["new_thread"]


def test_nobody_is_told_about_what_they_cannot_read():
    outsider = make_user(username="outsider")
    group = private_group()
    notification_actions.set_level(
        user=outsider, target="space", target_id=national().pk, level=Level.WATCHING
    )
    thread = make_thread(space=group, source="Secret group post @outsider")
    actions.create_post(author=thread.author, thread=thread, source="More for the group @outsider")
    assert kinds_for(outsider) == []


def test_held_posts_notify_only_when_approved():
    parent = make_user(role="parent_carer")
    watcher = make_user()
    notification_actions.set_level(
        user=watcher, target="space", target_id=premoderated_space().pk, level=Level.WATCHING
    )
    thread = make_thread(author=parent, space=premoderated_space())
    assert kinds_for(watcher) == []
    actions.approve_post(moderator=make_moderator(), post=thread.posts.get(number=1))
    assert kinds_for(watcher) == ["new_thread"]
    assert kinds_for(parent) == ["post_approved"]


def test_reaction_notifies_the_author():
    author = make_user()
    thread = make_thread(author=author)
    actions.toggle_reaction(
        user=make_user(display_name="Fan"), post=thread.posts.get(number=1), kind="thanks"
    )
    notification = Notification.objects.get(user=author)
    assert notification.kind == "reaction" and notification.data["actor"] == "Fan"


def test_fan_out_to_many_watchers_is_a_fixed_number_of_queries():
    thread = make_thread()
    from django.contrib.auth import get_user_model

    User = get_user_model()
    watchers = User.objects.bulk_create(
        User(username=f"w{i}", email=f"w{i}@example.org", display_name=f"W{i}", role="practitioner")
        for i in range(300)
    )
    Subscription.objects.bulk_create(
        Subscription(user=w, target="thread", target_id=thread.pk, level=Level.WATCHING)
        for w in watchers
    )
    replier = make_user()
    actions.create_post(author=replier, thread=thread, source="Warm up")
    with CaptureQueriesContext(connection) as ctx:
        actions.create_post(author=replier, thread=thread, source="Hello all watchers")
    assert Notification.objects.filter(post__number=3).count() == 301  # 300 watchers and the author
    assert len(ctx.captured_queries) < 30


def test_the_fan_out_of_a_post_deleted_before_the_worker_ran_tells_nobody():
    from notifications.tasks import fan_out

    thread = make_thread()
    replier = make_user()
    post = actions.create_post(author=replier, thread=thread, source="Soon gone from the table")
    event = {
        "type": "post.created",
        "post_id": post.pk,
        "thread_id": thread.pk,
        "author_id": replier.pk,
        "status": "published",
    }
    Notification.objects.all().delete()
    post.delete()
    assert fan_out.func(event) is False
    assert not Notification.objects.exists()


def test_members_watching_a_threads_tag_are_told_of_replies_unless_they_muted_the_thread(
    committed,
):
    thread = make_thread()
    thread.tags.add("sleep", "weaning")
    tag = thread.tags.get(name="sleep")
    watcher, muted, other_tag = make_user(), make_user(), make_user()
    for user in (watcher, muted):
        Subscription.objects.create(
            user=user, target=Subscription.Target.TAG, target_id=tag.pk, level=Level.WATCHING
        )
    Subscription.objects.create(
        user=muted, target=Subscription.Target.THREAD, target_id=thread.pk, level=Level.MUTED
    )
    unrelated = make_thread()
    unrelated.tags.add("teething")
    Subscription.objects.create(
        user=other_tag,
        target=Subscription.Target.TAG,
        target_id=unrelated.tags.get().pk,
        level=Level.WATCHING,
    )
    with committed():
        actions.create_post(author=make_user(), thread=thread, source="Naps got shorter again")
    assert kinds_for(watcher) == ["posted"]
    assert kinds_for(muted) == [] and kinds_for(other_tag) == []
