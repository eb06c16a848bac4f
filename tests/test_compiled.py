"""Compiled hot queries (community/compiled.py) answer exactly what the querysets they were
built from answer, for every kind of viewer, whoever asked first in the process."""

import pytest

from community.forum import actions, permissions, selectors
from community.forum.models import Bookmark, Post, Reaction, Status, ThreadRead
from tests.factories import make_moderator, make_thread, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_thread():
    """A thread with published, held (two authors), hidden and deleted posts."""
    alice, bea, cal = make_user(username="alice"), make_user(username="bea"), make_user()
    thread = make_thread(author=alice, tags=["sleep", "feeding"])
    posts = {}
    for name, author in (("open", cal), ("alice_held", alice), ("bea_held", bea)):
        posts[name] = actions.create_post(author=author, thread=thread, source=f"{name} words")
    for name, author in (("hidden", bea), ("deleted", alice)):
        posts[name] = actions.create_post(author=author, thread=thread, source=f"{name} words")
    Post.objects.filter(pk__in=[posts["alice_held"].pk, posts["bea_held"].pk]).update(
        status=Status.HELD
    )
    Post.objects.filter(pk=posts["hidden"].pk).update(status=Status.HIDDEN)
    actions.delete_post(actor=alice, post=posts["deleted"])
    actions.toggle_reaction(user=bea, post=posts["open"], kind="like")
    actions.toggle_bookmark(user=alice, post=posts["open"])
    thread.refresh_from_db()
    viewers = {
        "visitor": None,
        "alice": alice,
        "bea": bea,
        "cal": cal,
        "moderator": make_moderator(),
    }
    return thread, posts, viewers


def _expected_posts(viewer, thread) -> list[int]:
    return list(
        permissions.posts_of_readable_thread(viewer, thread)
        .order_by("number")
        .values_list("pk", flat=True)
    )


@pytest.mark.parametrize(
    "order",
    [
        ("visitor", "alice", "bea", "cal", "moderator"),
        ("moderator", "bea", "alice", "visitor", "cal"),
    ],
)
def test_each_viewer_gets_their_own_posts_and_marks_whoever_compiled_first(mixed_thread, order):
    from django.contrib.auth.models import AnonymousUser

    thread, posts, viewers = mixed_thread
    for name in order:
        viewer = viewers[name] or AnonymousUser()
        page = selectors.thread_page(viewer=viewer, thread=thread, page=1)
        assert [p.pk for p in page.posts] == _expected_posts(viewer, thread), name
        if viewer.is_authenticated:
            reactions = {}
            for post_id, kind in Reaction.objects.filter(user=viewer).values_list(
                "post_id", "kind"
            ):
                reactions.setdefault(post_id, set()).add(kind)
            bookmarks = set(Bookmark.objects.filter(user=viewer).values_list("post_id", flat=True))
            assert page.member.my_reactions == reactions, name
            assert page.member.my_bookmarks == bookmarks, name
    shown = {
        name: {p.pk for p in selectors.thread_page(viewer=v, thread=thread).posts}
        for name, v in viewers.items()
        if v is not None
    }
    assert posts["alice_held"].pk in shown["alice"] and posts["alice_held"].pk not in shown["bea"]
    assert posts["bea_held"].pk in shown["bea"] and posts["bea_held"].pk not in shown["alice"]
    assert posts["hidden"].pk not in shown["bea"] | shown["cal"]
    assert posts["hidden"].pk in shown["moderator"]
    assert posts["deleted"].pk not in shown["cal"]


def test_the_compiled_thread_read_carries_each_members_own_read_position(mixed_thread):
    from django.contrib.auth.models import AnonymousUser

    thread, _posts, viewers = mixed_thread
    for name in ("bea", "alice", "visitor", "bea"):
        viewer = viewers[name] or AnonymousUser()
        read = selectors.get_thread(viewer=viewer, thread_id=thread.pk)
        expected = (
            ThreadRead.objects.filter(user=viewer, thread=thread)
            .values_list("last_read_number", flat=True)
            .first()
            if viewer.is_authenticated
            else None
        )
        assert read.last_read == expected, name
        assert read.pk == thread.pk and read.space.pk == thread.space_id
        selectors.attach_tags([read])  # from the tags the compiled read brought
        assert [t.slug for t in read.tag_list] == [t.slug for t in thread.tags.order_by("pk")]
    ThreadRead.objects.filter(user=viewers["alice"]).delete()
    assert selectors.get_thread(viewer=viewers["alice"], thread_id=thread.pk).last_read is None
    assert selectors.get_thread(viewer=viewers["bea"], thread_id=thread.pk).last_read == 5


def test_an_unreadable_thread_is_still_not_found_through_the_compiled_read():
    from django.http import Http404

    from tests.factories import private_group

    insider = make_user()
    thread = make_thread(author=insider, space=private_group())
    with pytest.raises(Http404):
        selectors.get_thread(viewer=make_user(), thread_id=thread.pk)
    assert selectors.get_thread(viewer=insider, thread_id=thread.pk).pk == thread.pk


def test_an_id_past_any_column_is_not_found_on_every_database():
    # Bound as it is, SQLite's driver raised OverflowError (a 500 for /t/99999999999999999999/);
    # the compiled read now leaves such a value to Django's lookups, as the uncompiled one does.
    from django.http import Http404

    make_thread(author=make_user())  # the read's shape is compiled on an ordinary id first
    with pytest.raises(Http404):
        selectors.get_thread(viewer=make_user(), thread_id=99_999_999_999_999_999_999)
    with pytest.raises(Http404):
        selectors.get_thread(viewer=make_user(), thread_id=-(2**63) - 1)


@pytest.fixture
def listed_threads():
    """Threads in every kind of space, one held, one unlisted, one tagged, one solved."""
    from community.forum.models import Thread
    from tests.factories import private_group, regional_group

    insider, outsider = make_user(username="insider"), make_user(username="outsider")
    parent = make_user(role="parent")
    threads = [
        make_thread(author=insider, title="National open thread", tags=["sleep"]),
        make_thread(author=insider, space=private_group(), title="Private group thread"),
        make_thread(author=insider, space=regional_group(), title="London thread"),
        make_thread(author=outsider, title="Outsider's held thread"),
        make_thread(author=insider, title="Unlisted thread"),
    ]
    Thread.objects.filter(pk=threads[3].pk).update(status=Status.HELD)
    Thread.objects.filter(pk=threads[4].pk).update(is_unlisted=True)
    viewers = {
        "visitor": None,
        "insider": insider,
        "outsider": outsider,
        "parent": parent,
        "moderator": make_moderator(),
    }
    return threads, viewers


def test_compiled_lists_show_each_viewer_what_the_uncompiled_lists_show(
    listed_threads, monkeypatch
):
    from django.contrib.auth.models import AnonymousUser

    threads, viewers = listed_threads
    national = threads[0].space
    cuts = [
        {},
        {"space": national},
        {"topic": threads[0].topic},
        {"tag": "sleep"},
        {"author": viewers["insider"]},
        {"solved": False},
        {"space": threads[2].space},
    ]
    for order in (list(viewers), list(reversed(viewers))):
        for name in order:
            viewer = viewers[name] or AnonymousUser()
            for cut in cuts:
                compiled = selectors.latest_threads(viewer=viewer, **cut)
                monkeypatch.setattr(selectors, "COMPILED_LIST_PAGES", 0)
                plain = selectors.latest_threads(viewer=viewer, **cut)
                monkeypatch.undo()
                assert [t.pk for t in compiled.threads] == [t.pk for t in plain.threads], (
                    name,
                    cut,
                )
                assert [t.unread_count for t in compiled.threads] == [
                    t.unread_count for t in plain.threads
                ]
                assert [[g.slug for g in t.tag_list] for t in compiled.threads] == [
                    [g.slug for g in t.tag_list] for t in plain.threads
                ]
    shown = {
        name: {t.title for t in selectors.latest_threads(viewer=v or AnonymousUser()).threads}
        for name, v in viewers.items()
    }
    assert "Private group thread" in shown["insider"]
    assert "Private group thread" not in shown["outsider"] | shown["visitor"] | shown["parent"]
    assert "Outsider's held thread" in shown["outsider"]
    assert "Outsider's held thread" not in shown["insider"]
    assert "Unlisted thread" not in shown["insider"] and "Unlisted thread" in shown["moderator"]


def _instance_state(obj, depth=2) -> dict:
    """An instance as the ORM leaves it: its attributes, its state and its cached relations."""
    if obj is None or depth < 0:
        return {"obj": obj}
    values = {k: v for k, v in obj.__dict__.items() if k != "_state"}
    state = obj._state
    return {
        "class": type(obj),
        "values": values,
        "state": (state.adding, state.db, state.fetch_mode),
        "related": {
            name: _instance_state(related, depth - 1)
            for name, related in state.fields_cache.items()
        },
    }


def test_instances_built_from_compiled_rows_are_the_orms_instances(mixed_thread, monkeypatch):
    """The compiled queries build instances straight from their rows: the same attributes,
    state and select_related objects (both ways) as ModelIterable gives."""
    from community import compiled
    from community.forum.models import Thread

    thread, _posts, viewers = mixed_thread
    moderator = viewers["moderator"]
    fast_posts = selectors.thread_page(viewer=moderator, thread=thread).posts
    fast_thread = selectors.get_thread(viewer=moderator, thread_id=thread.pk)
    for query in (selectors._page_posts, selectors._thread_by_id):
        assert all(isinstance(c._build, compiled._Builder) for c in query._local.compiled.values())
    # Without the builder: every compiled query goes through ModelIterable.
    monkeypatch.setattr(compiled, "_builder", lambda compiler, queryset: None)
    for query in (selectors._page_posts, selectors._thread_by_id):
        query._local = type(query._local)()
    orm_posts = selectors.thread_page(viewer=moderator, thread=thread).posts
    orm_thread = selectors.get_thread(viewer=moderator, thread_id=thread.pk)
    assert len(fast_posts) == len(orm_posts) == 6
    for fast, orm in zip(fast_posts, orm_posts, strict=True):
        assert _instance_state(fast) == _instance_state(orm)
        assert fast.author.avatar == orm.author.avatar  # a file field reads the same
    assert _instance_state(fast_thread) == _instance_state(orm_thread)
    assert isinstance(fast_thread, Thread) and fast_thread.space.name == thread.space.name


def test_a_model_with_init_listeners_is_built_by_the_orm(mixed_thread):
    """A pre_init/post_init receiver must see every instance: the builder steps aside."""
    from django.db.models.signals import post_init

    from community.forum.models import Post

    thread, _posts, viewers = mixed_thread
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(receiver, sender=Post)
    try:
        posts = selectors.thread_page(viewer=viewers["moderator"], thread=thread).posts
    finally:
        post_init.disconnect(receiver, sender=Post)
    assert seen == [p.pk for p in posts]


def test_the_compiled_region_lookup_finds_what_visible_spaces_finds():
    """A region's group for each kind of viewer, whoever asked first: a private region only
    for its members and moderators; an unknown region for nobody."""
    from django.contrib.auth.models import AnonymousUser

    from community.accounts.models import Region
    from tests.factories import private_group

    group = private_group()
    insider, outsider = make_user(), make_user()
    actions.add_member(actor=make_moderator(), user=insider, space=group)
    viewers = [AnonymousUser(), insider, outsider, make_user(role="parent"), make_moderator()]
    slugs = [*Region.objects.values_list("slug", flat=True), "no-such-region"]
    for order in (viewers, list(reversed(viewers))):
        for viewer in order:
            for slug in slugs:
                expected = permissions.visible_spaces(viewer).filter(region__slug=slug).first()
                found = selectors.region_group(viewer=viewer, slug=slug)
                assert found == expected, (viewer, slug)
    assert selectors.region_group(viewer=insider, slug="south-east") == group
    assert selectors.region_group(viewer=outsider, slug="south-east") is None
    assert selectors.region_group(viewer=AnonymousUser(), slug="south-east") is None


def test_each_list_page_holds_the_rows_the_listable_threads_rule_puts_there(
    listed_threads, settings
):
    """The list picks a page's rows by id in a subquery and reads only those: page by page,
    the same rows, in the same order, as slicing the permission rule's own queryset."""
    from datetime import timedelta

    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from community.forum.models import Thread

    threads, viewers = listed_threads
    for index in range(7):
        make_thread(author=make_user(), title=f"More threads {index}")
    # Ties on last_post_at are ordered by id, newest first, on every page.
    Thread.objects.filter(title__in=["More threads 1", "More threads 2"]).update(
        last_post_at=timezone.now()
    )
    Thread.objects.filter(title="More threads 3").update(
        pinned_globally=True, last_post_at=timezone.now() - timedelta(days=30)
    )
    settings.FORUM_THREADS_PER_PAGE = 3
    for name, viewer in viewers.items():
        viewer = viewer or AnonymousUser()
        expected = list(
            permissions.listable_threads(viewer, Thread.objects.filter(deleted_at__isnull=True))
            .order_by("-pinned_globally", "-last_post_at", "-pk")
            .values_list("pk", flat=True)
        )
        pages = [expected[start : start + 3] for start in range(0, len(expected), 3)]
        for number, rows in enumerate(pages, start=1):
            listing = selectors.latest_threads(viewer=viewer, page=number)
            assert [t.pk for t in listing.threads] == rows, (name, number)
            assert listing.has_next == (number < len(pages)), (name, number)
        assert selectors.latest_threads(viewer=viewer, page=len(pages) + 1).threads == []


def test_compiled_queries_run_as_prepared_statements_and_are_logged_as_sql(mixed_thread):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import require_service

    require_service("PostgreSQL", connection.vendor == "postgresql")  # prepared statements
    thread, _posts, viewers = mixed_thread
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(2):
            selectors.get_thread(viewer=viewers["alice"], thread_id=thread.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "forum_thread"' in statement for statement in prepared)
    # The log shows the statement as Django would have sent it: SQL with its values in.
    assert all(q["sql"].startswith("SELECT ") for q in ctx.captured_queries)
    assert str(thread.pk) in ctx.captured_queries[0]["sql"]
