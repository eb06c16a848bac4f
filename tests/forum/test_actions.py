import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from community.forum import actions
from community.forum.models import (
    Draft,
    Post,
    PostRevision,
    Reaction,
    Space,
    Status,
    Thread,
    ThreadRead,
)
from tests.factories import (
    add_replies,
    make_moderator,
    make_thread,
    make_user,
    national,
    premoderated_space,
)

pytestmark = pytest.mark.django_db


def test_events_wait_for_the_commit(published_events, committed):
    with committed() as callbacks:
        make_thread()
        assert published_events == []  # nothing is pushed before the transaction commits
    assert len(callbacks) >= 1 and published_events[0]["type"] == "thread.created"


def test_start_thread_creates_first_post_counters_and_event(published_events, committed):
    author = make_user()
    with committed():
        thread = make_thread(
            author=author, title="Evening groups for dads", tags=["Dads", "dads", "Evening Groups"]
        )
    space = Space.objects.get(pk=thread.space_id)
    assert thread.post_count == 1 and thread.highest_post_number == 1
    assert sorted(thread.tags.names()) == ["dads", "evening-groups"]
    assert space.thread_count == 1 and space.post_count == 1
    assert [e["type"] for e in published_events] == ["thread.created"]
    assert published_events[0]["thread_id"] == thread.pk
    assert ThreadRead.objects.get(user=author, thread=thread).last_read_number == 1


def test_create_post_numbers_posts_and_updates_counters():
    thread = make_thread()
    replier = make_user(display_name="Replier")
    first = actions.create_post(author=replier, thread=thread, source="A first reply")
    second = actions.create_post(
        author=replier, thread=thread, source="A reply to it", reply_to=first
    )
    thread.refresh_from_db()
    assert (first.number, second.number) == (2, 3)
    assert thread.post_count == 3 and thread.highest_post_number == 3
    assert thread.last_poster_name == "Replier"
    assert second.reply_to_number == 2 and second.reply_to_name == "Replier"


def _reply_rows(thread, replier, *, held_space=None):
    """What a reply writes: the post's row, the thread's and space's counters, the read
    position and whether the draft is gone."""
    actions.save_draft(author=replier, thread=thread, source="Half a reply")
    post = actions.create_post(author=replier, thread=thread, source="A reply, with **markup**")
    stored = Post.objects.filter(pk=post.pk).values().get()
    assert post.pk == stored["id"] and not post._state.adding
    assert Post.objects.get(pk=post.pk).reply_to_name == post.reply_to_name
    thread = Thread.objects.get(pk=thread.pk)
    space = Space.objects.get(pk=thread.space_id)
    skip = {"id", "thread_id", "created_at", "author_id"}
    return (
        {k: v for k, v in stored.items() if k not in skip},
        (thread.post_count, thread.highest_post_number, thread.last_poster_id, thread.last_post_at == stored["created_at"]),
        (space.post_count, space.last_post_at == stored["created_at"]),
        ThreadRead.objects.get(user=replier, thread=thread).last_read_number,
        Draft.objects.filter(user=replier, thread=thread).exists(),
    )  # fmt: skip


def test_create_post_writes_what_the_orm_writes_statement_by_statement():
    """On PostgreSQL a reply is one statement; with a listener on Post's save signals (which a
    raw statement would not send) it is the ORM's statements: the rows come out the same."""
    from django.db.models.signals import post_save

    replier = make_user(display_name="Replier")
    one = make_thread()
    one_statement = _reply_rows(one, replier)
    saved = []

    def listener(sender, instance, created, **kwargs):
        saved.append((instance.pk, created))

    two = make_thread(space=Space.objects.get(pk=one.space_id))
    post_save.connect(listener, sender=Post)
    try:
        by_the_orm = _reply_rows(two, replier)
    finally:
        post_save.disconnect(listener, sender=Post)
    assert saved and saved[0][1] is True  # the listener was told: the ORM's path ran
    assert one_statement[0] == by_the_orm[0]
    assert one_statement[1][0:2] == by_the_orm[1][0:2] == (2, 2)
    assert one_statement[1][2:] == by_the_orm[1][2:] == (replier.pk, True)
    assert one_statement[2][1] and by_the_orm[2][1]
    assert by_the_orm[2][0] == one_statement[2][0] + 2  # a second thread and reply, same space
    assert one_statement[3:] == by_the_orm[3:] == (2, False)


def test_a_held_reply_leaves_the_counters_alone_but_moves_the_read_position(published_events):
    author = make_user(role="parent_carer")
    thread = make_thread(space=premoderated_space(), author=make_moderator())
    before = Thread.objects.get(pk=thread.pk)
    space_before = Space.objects.get(pk=thread.space_id)
    post = actions.create_post(author=author, thread=thread, source="Held for a moderator")
    after = Thread.objects.get(pk=thread.pk)
    assert post.status == Status.HELD
    assert after.highest_post_number == 2 and after.post_count == before.post_count
    assert after.last_poster_name == before.last_poster_name
    assert Space.objects.get(pk=thread.space_id).post_count == space_before.post_count
    assert ThreadRead.objects.get(user=author, thread=thread).last_read_number == 2


def test_create_post_records_mentions_and_publishes_them(published_events, committed):
    mentioned = make_user(username="priya")
    thread = make_thread()
    with committed():
        post = actions.create_post(author=make_user(), thread=thread, source="Over to you @Priya")
    assert list(post.mentions.all()) == [mentioned]
    event = published_events[-1]
    assert event["type"] == "post.created" and event["mentioned_ids"] == [mentioned.pk]


def test_short_post_is_refused_with_a_reason():
    with pytest.raises(ValidationError) as exc:
        actions.create_post(author=make_user(), thread=make_thread(), source=" x ")
    assert "source" in exc.value.message_dict


def test_closed_thread_refuses_members_but_not_moderators():
    thread = make_thread()
    Thread.objects.filter(pk=thread.pk).update(is_closed=True)
    thread.refresh_from_db()
    with pytest.raises(PermissionDenied):
        actions.create_post(author=make_user(), thread=thread, source="Can I still reply?")
    assert (
        actions.create_post(author=make_moderator(), thread=thread, source="Moderator note").number
        == 2
    )


def test_premoderated_space_holds_posts_out_of_counters_until_approved(published_events, committed):
    author = make_user(role="parent_carer")
    thread = make_thread(author=author, space=premoderated_space())
    assert thread.status == Status.HELD and thread.post_count == 0
    space = Space.objects.get(pk=thread.space_id)
    assert space.thread_count == 0
    with committed():
        actions.approve_post(moderator=make_moderator(), post=thread.posts.get(number=1))
    thread.refresh_from_db()
    space.refresh_from_db()
    assert thread.status == Status.PUBLISHED and thread.post_count == 1
    assert space.thread_count == 1 and space.post_count == 1
    assert published_events[-1]["type"] == "post.approved"


def test_members_cannot_approve_posts():
    thread = make_thread(author=make_user(role="parent_carer"), space=premoderated_space())
    with pytest.raises(PermissionDenied):
        actions.approve_post(moderator=make_user(), post=thread.posts.get(number=1))


def test_edit_post_keeps_a_revision_and_rerenders():
    author = make_user()
    thread = make_thread(author=author, source="Original words")
    post = thread.posts.get(number=1)
    actions.edit_post(editor=author, post=post, source="New **words**", reason="typo")
    post.refresh_from_db()
    revision = PostRevision.objects.get(post=post)
    assert (revision.source_before, revision.source_after, revision.reason) == (
        "Original words",
        "New **words**",
        "typo",
    )
    assert "<strong>words</strong>" in post.html and post.revision_count == 1 and post.edited_at


def test_others_cannot_edit_a_post():
    thread = make_thread()
    with pytest.raises(PermissionDenied):
        actions.edit_post(
            editor=make_user(), post=thread.posts.get(number=1), source="Hijacked text"
        )


def test_delete_and_restore_reply_adjusts_counters():
    thread = make_thread()
    replier = make_user()
    reply = actions.create_post(author=replier, thread=thread, source="Regrettable reply")
    actions.delete_post(actor=replier, post=reply)
    thread.refresh_from_db()
    assert thread.post_count == 1
    assert Post.objects.get(pk=reply.pk).source == "Regrettable reply"  # content kept
    actions.restore_post(actor=replier, post=reply)
    thread.refresh_from_db()
    assert thread.post_count == 2


def test_author_cannot_restore_what_a_moderator_deleted():
    thread = make_thread()
    replier = make_user()
    reply = actions.create_post(author=replier, thread=thread, source="Contested reply")
    actions.delete_post(actor=make_moderator(), post=reply)
    with pytest.raises(PermissionDenied):
        actions.restore_post(actor=replier, post=reply)


def test_deleting_first_post_deletes_thread_and_space_counters():
    author = make_user()
    thread = make_thread(author=author)
    add_replies(thread, 2)
    actions.delete_post(actor=author, post=thread.posts.get(number=1))
    thread.refresh_from_db()
    space = Space.objects.get(pk=thread.space_id)
    assert thread.deleted_at is not None
    assert space.thread_count == 0 and space.post_count == 0


def test_toggle_reaction_counts_and_refuses_own_posts(published_events, committed):
    author = make_user()
    thread = make_thread(author=author)
    post = thread.posts.get(number=1)
    reader = make_user()
    with committed():
        assert actions.toggle_reaction(user=reader, post=post, kind="like") is True
    post.refresh_from_db()
    thread.refresh_from_db()
    assert post.reaction_counts == {"like": 1} and thread.like_count == 1
    assert published_events[-1]["type"] == "reaction.added"
    assert actions.toggle_reaction(user=reader, post=post, kind="like") is False
    post.refresh_from_db()
    assert post.reaction_counts == {} and not Reaction.objects.exists()
    with pytest.raises(PermissionDenied):
        actions.toggle_reaction(user=author, post=post, kind="like")
    with pytest.raises(ValidationError):
        actions.toggle_reaction(user=reader, post=post, kind="shrug")


def test_bookmark_toggles():
    post = make_thread().posts.get(number=1)
    reader = make_user()
    assert actions.toggle_bookmark(user=reader, post=post) is True
    assert actions.toggle_bookmark(user=reader, post=post) is False


def test_record_read_only_moves_forward():
    thread = make_thread()
    add_replies(thread, 5)
    reader = make_user()
    actions.record_read(user=reader, thread=thread, number=4)
    actions.record_read(user=reader, thread=thread, number=2)
    assert ThreadRead.objects.get(user=reader, thread=thread).last_read_number == 4


def test_staff_only_posting_space_refuses_members():
    announcements = Space.objects.get(slug="announcements")
    with pytest.raises(PermissionDenied):
        make_thread(author=make_user(), space=announcements)


def test_join_and_leave_regional_group():
    user = make_user()
    group = Space.objects.get(region__slug="london")
    actions.join_space(user=user, space=group)
    assert group.memberships.filter(user=user).exists()
    actions.leave_space(user=user, space=group)
    assert not group.memberships.filter(user=user).exists()
    with pytest.raises(PermissionDenied):
        actions.join_space(user=user, space=national())


def test_rebuild_counters_repairs_drift():
    from django.core.management import call_command

    thread = make_thread()
    add_replies(thread, 3)
    Thread.objects.filter(pk=thread.pk).update(post_count=99, highest_post_number=1)
    Space.objects.filter(pk=thread.space_id).update(thread_count=7, post_count=0)
    call_command("rebuild_counters", stdout=open("/dev/null", "w"))
    thread.refresh_from_db()
    space = Space.objects.get(pk=thread.space_id)
    assert (thread.post_count, thread.highest_post_number) == (4, 4)
    assert (space.thread_count, space.post_count) == (1, 4)


def test_rebuild_counters_does_not_count_moderator_notes():
    from django.core.management import call_command

    from community.moderation import actions as moderation_actions
    from tests.factories import make_moderator

    thread = make_thread()
    add_replies(thread, 2)
    moderation_actions.set_thread_status(
        actor=make_moderator(), thread=thread, status="closed", enabled=True
    )
    call_command("rebuild_counters", stdout=open("/dev/null", "w"))
    thread.refresh_from_db()
    assert thread.post_count == 3 and thread.highest_post_number == 4
