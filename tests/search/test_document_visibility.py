"""Search filters by visibility on its documents' copy of each post's fields.

The copy must give exactly what the forum's rule gives (`listable_posts`), for every viewer
and every case the rule covers, and stay so as posts and threads change; the page's hits are
checked against the posts themselves, so a copy not yet refreshed never shows a post.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from community.forum import actions, permissions
from community.forum.models import Post, Space, Status, Thread
from community.moderation import actions as moderation
from community.moderation.models import ReviewItem
from community.search import indexing, registry
from community.search.forum import DOCUMENT_COLUMNS
from community.search.models import ATTRIBUTES, Document
from community.search.service import search
from tests import factories as f
from tests.supportline.builders import make_case, make_supportline_staff

pytestmark = pytest.mark.django_db

WORD = "xylophone"


def _document_ids(viewer) -> set[int]:
    q = permissions.listable_posts_by_columns(viewer, DOCUMENT_COLUMNS)
    return set(Document.objects.filter(kind="post").filter(q).values_list("object_id", flat=True))


def _rule_ids(viewer) -> set[int]:
    posts = Post.objects.filter(kind=Post.Kind.POST)
    return set(permissions.listable_posts(viewer, posts).values_list("pk", flat=True))


def _copies() -> dict[int, dict]:
    rows = Document.objects.filter(kind="post").values("object_id", *ATTRIBUTES)
    return {row.pop("object_id"): row for row in rows}


def _fresh() -> dict[int, dict]:
    return {e.object_id: e.attributes for e in registry.get("post").entries(None)}


def assert_in_step() -> None:
    """Every post's document holds what indexing it afresh would write."""
    assert _copies() == _fresh()


@pytest.fixture
def world(committed):
    """Every case the rule covers, each post carrying WORD, written through the actions (the
    documents kept in step by the index's event handlers, run on commit)."""
    moderator = f.make_moderator(username="mod")
    insider = f.make_user(username="insider")
    parent = f.make_user(role="parent_carer", username="parent")
    child = f.make_user(role="young_person", age_band="16-17", username="child")
    author = f.make_user(username="author")
    with committed():
        public = f.make_thread(author=author, title=f"Public {WORD}", source=f"Open {WORD}")
        reply = actions.create_post(author=parent, thread=public, source=f"Reply {WORD}")
        deleted = actions.create_post(author=parent, thread=public, source=f"Gone {WORD}")
        actions.delete_post(actor=parent, post=deleted)
        hidden = actions.create_post(author=parent, thread=public, source=f"Hidden {WORD}")
        moderation.flag_post(flagger=moderator, post=hidden, reason="safeguarding")
        private = f.make_thread(
            author=insider, space=f.private_group(), title=f"Private {WORD}", source=WORD
        )
        verified = f.make_thread(
            author=moderator, space=Space.objects.get(slug="la-leads"), title=f"Leads {WORD}",
            source=WORD,
        )  # fmt: skip
        staff = f.make_thread(
            author=moderator,
            space=Space.objects.create(
                slug="staff-room", name="Staff room", kind="community", visibility="staff"
            ),
            title=f"Staff {WORD}",
            source=WORD,
        )
        held = f.make_thread(
            author=parent, space=f.premoderated_space(), title=f"Held {WORD}", source=WORD
        )
        youth = f.make_thread(
            author=moderator, space=Space.objects.get(slug="young-people"),
            title=f"Youth {WORD}", source=WORD,
        )  # fmt: skip
        minors_held = actions.create_post(author=child, thread=youth, source=f"Minor {WORD}")
        minors_published = actions.create_post(author=child, thread=youth, source=f"Mine {WORD}")
        actions.approve_post(moderator=moderator, post=minors_published)
        hidden_thread = f.make_thread(author=author, title=f"Hidden thread {WORD}", source=WORD)
        moderation.flag_post(
            flagger=moderator, post=hidden_thread.posts.get(number=1), reason="safeguarding"
        )
        deleted_thread = f.make_thread(author=author, title=f"Deleted {WORD}", source=WORD)
        actions.delete_post(actor=author, post=deleted_thread.posts.get(number=1))
        unlisted = f.make_thread(author=author, title=f"Unlisted {WORD}", source=WORD)
        moderation.set_thread_status(
            actor=moderator, thread=unlisted, status="visible", enabled=False
        )
        case = make_case(parent, question=f"SupportLine {WORD} question")
    return {
        "moderator": moderator, "insider": insider, "parent": parent, "child": child,
        "author": author, "public": public, "reply": reply, "deleted": deleted,
        "hidden": hidden, "private": private, "verified": verified, "staff": staff,
        "held": held, "youth": youth, "minors_held": minors_held,
        "minors_published": minors_published, "hidden_thread": hidden_thread,
        "deleted_thread": deleted_thread, "unlisted": unlisted, "case": case,
    }  # fmt: skip


def _viewers(world) -> dict[str, object]:
    return {
        "visitor": AnonymousUser(),
        "member": f.make_user(username="someone"),
        "verified practitioner": f.make_user(username="verified", is_verified=True),
        "group insider": world["insider"],
        "parent with held and deleted posts": world["parent"],
        "young person": world["child"],
        "thread author": world["author"],
        "SupportLine staff": make_supportline_staff(username="line"),
        "moderator": world["moderator"],
    }


def test_the_cases_are_what_they_say(world):
    assert world["hidden"].__class__.objects.get(pk=world["hidden"].pk).status == Status.HIDDEN
    assert Thread.objects.get(pk=world["hidden_thread"].pk).status == Status.HIDDEN
    assert Thread.objects.get(pk=world["held"].pk).status == Status.HELD
    assert Post.objects.get(pk=world["minors_held"].pk).status == Status.HELD
    assert Thread.objects.get(pk=world["deleted_thread"].pk).deleted_at is not None
    assert Thread.objects.get(pk=world["unlisted"].pk).is_unlisted


def test_documents_rule_agrees_with_listable_posts_for_every_viewer(world):
    for name, viewer in _viewers(world).items():
        assert _document_ids(viewer) == _rule_ids(viewer), name


def test_event_kept_copies_equal_a_rebuild(world):
    assert_in_step()
    before = _copies()
    indexing.rebuild("post")
    assert _copies() == before


def test_search_finds_exactly_the_listable_undeleted_posts(world):
    for name, viewer in _viewers(world).items():
        expected = set(
            permissions.listable_posts(viewer)
            .filter(kind=Post.Kind.POST, deleted_at__isnull=True, thread__deleted_at__isnull=True)
            .values_list("pk", flat=True)
        )
        assert {h.object_id for h in search(viewer, WORD, per_page=50).hits} == expected, name


def test_a_page_of_hits_keeps_exactly_the_listable_undeleted_posts_for_every_viewer(world):
    # The hits' posts are read by one compiled query per form of viewer (the same SQL for
    # every member, their id a parameter): each viewer in turn, members of one form one
    # after another, gets exactly the forum's rule, whatever ids the index handed over.
    every_post = list(Post.objects.filter(kind=Post.Kind.POST).values_list("pk", flat=True))
    provider = registry.get("post")
    for name, viewer in _viewers(world).items():
        expected = set(
            permissions.listable_posts(viewer)
            .filter(kind=Post.Kind.POST, deleted_at__isnull=True, thread__deleted_at__isnull=True)
            .values_list("pk", flat=True)
        )
        assert expected, name
        assert set(provider.load(viewer, every_post)) == expected, name
        one = sorted(expected)[0]
        assert set(provider.load(viewer, [one])) == {one}, name
    assert provider.load(AnonymousUser(), []) == {}


def test_supportline_cases_are_never_indexed_nor_found(world):
    assert not Document.objects.filter(body__contains="SupportLine").exists()
    for name, viewer in _viewers(world).items():
        assert not [h for h in search(viewer, "SupportLine").hits], name


def test_a_minors_posts_are_found_by_words_but_not_by_name_for_adults(world):
    adult = f.make_user(username="adult")
    words = {h.object_id for h in search(adult, WORD, per_page=50).hits}
    assert world["minors_published"].pk in words and world["minors_held"].pk not in words
    assert search(adult, f"{WORD} @child").hits == []
    assert {h.object_id for h in search(world["moderator"], f"{WORD} @child").hits} == {
        world["minors_published"].pk, world["minors_held"].pk,
    }  # fmt: skip


def test_the_rule_needs_a_column_for_every_field_it_tests():
    with pytest.raises(ValueError, match="thread__is_unlisted"):
        permissions.listable_posts_by_columns(
            AnonymousUser(),
            {k: v for k, v in DOCUMENT_COLUMNS.items() if k != "thread__is_unlisted"},
        )


# Keeping the copy in step: each change through its action, then the copy is compared with
# what indexing afresh would write, and search with the rule.


def _found(viewer, post) -> bool:
    return post.pk in {h.object_id for h in search(viewer, WORD, per_page=50).hits}


def test_hiding_and_restoring_a_post(world, committed):
    reply, visitor = world["reply"], AnonymousUser()
    with committed():
        moderation.flag_post(flagger=world["moderator"], post=reply, reason="safeguarding")
    assert_in_step()
    assert not _found(visitor, reply)
    item = ReviewItem.objects.get(post=reply, state=ReviewItem.State.PENDING)
    with committed():
        moderation.resolve_review_item(moderator=world["moderator"], item=item, decision="dismiss")
    assert_in_step()
    assert _found(visitor, reply)


def test_hiding_and_restoring_a_threads_first_post(world, committed):
    public, visitor = world["public"], AnonymousUser()
    first = public.posts.get(number=1)
    with committed():
        moderation.flag_post(flagger=world["moderator"], post=first, reason="safeguarding")
    assert_in_step()
    assert not _found(visitor, world["reply"])  # the whole thread is hidden
    item = ReviewItem.objects.get(post=first, state=ReviewItem.State.PENDING)
    with committed():
        moderation.resolve_review_item(moderator=world["moderator"], item=item, decision="dismiss")
    assert_in_step()
    assert _found(visitor, world["reply"])


def test_approving_a_held_thread_and_a_held_reply(world, committed):
    held, member = world["held"], f.make_user(username="reader")
    with committed():
        actions.approve_post(moderator=world["moderator"], post=held.posts.get(number=1))
        actions.approve_post(moderator=world["moderator"], post=world["minors_held"])
    assert_in_step()
    assert _found(member, held.posts.get(number=1)) and _found(member, world["minors_held"])


def test_deleting_and_restoring_a_thread(world, committed):
    public, author = world["public"], world["author"]
    first = public.posts.get(number=1)
    with committed():
        actions.delete_post(actor=author, post=first)
    assert_in_step()
    assert not _found(AnonymousUser(), world["reply"])
    with committed():
        actions.restore_post(actor=author, post=first)
    assert_in_step()
    assert _found(AnonymousUser(), world["reply"])


def test_moving_a_thread_into_a_private_space_and_back(world, committed):
    public, moderator = world["public"], world["moderator"]
    national = public.space
    with committed():
        moderation.move_thread(
            actor=moderator, thread=public, space=f.private_group(), topic=public.topic
        )
    assert_in_step()
    assert not _found(AnonymousUser(), world["reply"])
    assert _found(world["insider"], world["reply"])
    with committed():
        moderation.move_thread(
            actor=moderator, thread=Thread.objects.get(pk=public.pk), space=national,
            topic=public.topic,
        )  # fmt: skip
    assert_in_step()
    assert _found(AnonymousUser(), world["reply"])


def test_unlisting_closing_and_archiving_a_thread(world, committed):
    public, moderator = world["public"], world["moderator"]
    with committed():
        moderation.set_thread_status(
            actor=moderator, thread=public, status="visible", enabled=False
        )
    assert_in_step()
    assert not _found(AnonymousUser(), world["reply"])
    with committed():
        moderation.set_thread_status(actor=moderator, thread=public, status="visible", enabled=True)
        moderation.set_thread_status(actor=moderator, thread=public, status="closed", enabled=True)
        moderation.set_thread_status(
            actor=moderator, thread=public, status="archived", enabled=True
        )
    assert_in_step()
    hits = {h.object_id for h in search(None, f"{WORD} status:archived").hits}
    assert world["reply"].pk in hits


def test_splitting_and_merging_threads(world, committed):
    public, moderator = world["public"], world["moderator"]
    with committed():
        new = moderation.split_posts(
            actor=moderator, thread=public, numbers=[world["reply"].number], title="Split off"
        )
    assert_in_step()
    assert Document.objects.get(kind="post", object_id=world["reply"].pk).thread_id == new.pk
    with committed():
        moderation.merge_threads(actor=moderator, source=new, target=world["private"])
    assert_in_step()
    assert not _found(AnonymousUser(), world["reply"])
    assert _found(world["insider"], world["reply"])


def test_accepting_an_answer(world, committed):
    space = Space.objects.get(slug="ask-an-expert")
    asker, reader = f.make_user(username="asker"), f.make_user(username="reader")
    with committed():
        thread = f.make_thread(author=asker, space=space, title=f"Question {WORD}", source=WORD)
        answer = actions.create_post(author=world["author"], thread=thread, source=f"A {WORD}")

    def found(status: str) -> bool:
        return answer.pk in {h.object_id for h in search(reader, f"{WORD} status:{status}").hits}

    assert found("unsolved") and not found("solved")
    with committed():
        actions.accept_answer(actor=asker, post=answer)
    assert_in_step()
    assert found("solved") and not found("unsolved")


def test_retopicking_a_thread(world, committed):
    from community.forum.models import Topic

    public = world["public"]
    other = Topic.objects.exclude(pk=public.topic_id).order_by("slug").first()
    with committed():
        actions.edit_thread(
            editor=world["author"], thread=public, title=public.title, topic=other, tags=[]
        )
    assert_in_step()
    assert world["reply"].pk in {h.object_id for h in search(None, f"{WORD} #{other.slug}").hits}


def test_a_space_made_private_is_left_out_at_once_without_re_indexing(world):
    # As if the worker had not yet run: the space's visibility is read afresh, so its posts
    # are left out although their documents still say it is open to everyone.
    public = world["public"]
    Space.objects.filter(pk=public.space_id).update(visibility="group")
    assert Document.objects.get(kind="post", object_id=world["reply"].pk).audience == "everyone"
    assert not _found(AnonymousUser(), world["reply"])
    assert not _found(f.make_user(username="outsider"), world["reply"])


def test_a_space_made_private_and_public_again(world, committed):
    public, visitor = world["public"], AnonymousUser()
    with committed():
        actions.set_space_visibility(
            actor=world["moderator"], space=public.space, visibility="group"
        )
    assert_in_step()
    assert not _found(visitor, world["reply"])
    with committed():
        actions.set_space_visibility(
            actor=world["moderator"], space=Space.objects.get(pk=public.space_id),
            visibility="public",
        )  # fmt: skip
    assert_in_step()
    assert _found(visitor, world["reply"])


def test_a_space_made_public_is_found_by_visitors_once_its_copies_are_refreshed(world, committed):
    private, visitor = world["private"], AnonymousUser()
    assert not _found(visitor, private.posts.get(number=1))
    with committed():
        actions.set_space_visibility(
            actor=world["moderator"], space=private.space, visibility="public"
        )
    assert_in_step()
    assert _found(visitor, private.posts.get(number=1))


def test_a_post_hidden_before_its_document_is_refreshed_is_not_shown(world):
    # As if the worker had not yet run: the post changed, its document did not.
    Post.objects.filter(pk=world["reply"].pk).update(status=Status.HIDDEN)
    assert Document.objects.get(kind="post", object_id=world["reply"].pk).status == "published"
    assert not _found(AnonymousUser(), world["reply"])


def test_the_migrations_backfill_writes_what_indexing_writes(world):
    import importlib

    from django.db import connection

    migrations = [
        importlib.import_module(f"community.search.migrations.{name}")
        for name in ("0005_document_visibility_columns", "0006_document_audience")
    ]
    Document.objects.filter(kind="post").update(
        space_id=None, topic_id=None, thread_id=None, author_id=None, status="",
        deleted_at=None, thread_author_id=None, thread_status="", thread_deleted_at=None,
        thread_is_unlisted=False, thread_is_closed=False, thread_is_archived=False,
        thread_is_solved=False, audience="",
    )  # fmt: skip
    with connection.cursor() as cursor:
        for migration in migrations:
            cursor.execute(migration.BACKFILL)
    assert_in_step()
