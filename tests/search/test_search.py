"""Search through the one interface: the same answers on SQLite FTS5 and PostgreSQL.

These run on SQLite by default and on PostgreSQL when DATABASE_URL points to one.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from community.forum import actions
from community.forum.models import Post, Thread
from community.moderation.actions import set_thread_status
from community.search.models import Document
from community.search.query import compose, parse
from community.search.service import search
from tests import factories as f

pytestmark = pytest.mark.django_db


def ids(results) -> set[int]:
    return {hit.object_id for hit in results.hits}


@pytest.fixture
def corpus(committed):
    """A small forum: public, private-group, held, hidden and deleted posts about the same words."""
    alice = f.make_user(username="alice")
    bob = f.make_user(username="bob")
    with committed():
        public = f.make_thread(
            author=alice, title="Infant feeding peer supporters",
            source="Our breastfeeding peer supporters visit families at home.",
            tags=["peer-support"],
        )  # fmt: skip
        reply = actions.create_post(
            author=bob, thread=public, source="We train breastfeeding volunteers every spring."
        )
        private = f.make_thread(
            author=bob, space=f.private_group(), title="Pilot group breastfeeding notes",
            source="Private breastfeeding pilot figures.",
        )  # fmt: skip
        held = f.make_thread(
            author=bob, space=f.premoderated_space(), title="A parent asks about breastfeeding",
            source="Held breastfeeding question from a parent.",
        )  # fmt: skip
        deleted = actions.create_post(
            author=bob, thread=public, source="A deleted breastfeeding remark."
        )
        actions.delete_post(actor=bob, post=deleted)
        other = f.make_thread(author=bob, title="Family hub opening hours", source="Evenings too.")
    return {
        "alice": alice, "bob": bob, "public": public, "reply": reply, "private": private,
        "held": held, "deleted": deleted, "other": other,
    }  # fmt: skip


def first_post(thread: Thread) -> Post:
    return thread.posts.get(number=1)


def test_search_finds_published_posts_by_stemmed_words(corpus):
    results = search(None, "breastfeeding")
    assert ids(results) == {first_post(corpus["public"]).pk, corpus["reply"].pk}
    assert ids(search(None, "volunteer")) == {corpus["reply"].pk}


def test_search_hides_private_held_and_deleted_posts_from_outsiders(corpus):
    outsider = f.make_user()
    hidden = {
        first_post(corpus["private"]).pk, first_post(corpus["held"]).pk, corpus["deleted"].pk,
    }  # fmt: skip
    for viewer in (None, outsider):
        assert not ids(search(viewer, "breastfeeding")) & hidden


def test_moderators_find_held_and_private_posts(corpus):
    found = ids(search(f.make_moderator(), "breastfeeding"))
    assert first_post(corpus["private"]).pk in found
    assert first_post(corpus["held"]).pk in found
    assert corpus["deleted"].pk not in found  # deleted posts are left out of search for all


def test_authors_find_their_own_held_post(corpus):
    assert first_post(corpus["held"]).pk in ids(search(corpus["bob"], "parent breastfeeding"))


def test_hidden_post_disappears_from_search(corpus):
    post = corpus["reply"]
    Post.objects.filter(pk=post.pk).update(status="hidden")
    assert post.pk not in ids(search(None, "volunteers"))


def test_snippets_mark_matches_and_escape_html(committed):
    with committed():
        thread = f.make_thread(
            title="Escaping in snippets", source="Use <script>alert(1)</script> safeguarding plans"
        )
    hit = search(None, "safeguarding").hits[0]
    assert hit.object_id == first_post(thread).pk
    assert "<mark>safeguarding</mark>" in hit.snippet
    assert "<script>" not in hit.snippet


def test_title_matches_rank_above_body_matches(committed):
    with committed():
        body = f.make_thread(title="Something else entirely", source="Notes on outreach vans.")
        titled = f.make_thread(title="Outreach in rural areas", source="How we reach villages.")
    hits = search(None, "outreach").hits
    assert [h.object_id for h in hits] == [first_post(titled).pk, first_post(body).pk]


def test_filters_narrow_results(corpus):
    alice, public = corpus["alice"], corpus["public"]
    assert ids(search(None, "breastfeeding @alice")) == {first_post(public).pk}
    assert ids(search(None, "breastfeeding #national")) == {
        first_post(public).pk, corpus["reply"].pk,
    }  # fmt: skip
    assert ids(search(None, "breastfeeding tags:peer-support")) == {
        first_post(public).pk, corpus["reply"].pk,
    }  # fmt: skip
    assert ids(search(alice, "breastfeeding in:mine")) == {first_post(public).pk}
    actions.toggle_bookmark(user=alice, post=corpus["reply"])
    assert ids(search(alice, "breastfeeding in:bookmarks")) == {corpus["reply"].pk}
    assert ids(search(None, "breastfeeding in:mine")) == set()


def test_space_filter_does_not_reveal_a_private_space(corpus):
    assert ids(search(None, "breastfeeding #south-east")) == set()


def test_status_filter_follows_thread_tools(corpus, committed):
    # The filter reads the documents' copy of the thread's state, refreshed after commit.
    with committed():
        set_thread_status(
            actor=f.make_moderator(), thread=corpus["public"], status="closed", enabled=True
        )
    assert ids(search(None, "breastfeeding status:closed")) == {
        first_post(corpus["public"]).pk, corpus["reply"].pk,
    }  # fmt: skip
    assert ids(search(None, "breastfeeding status:open")) == set()


def test_date_filters_and_latest_order(corpus):
    Post.objects.filter(pk=corpus["reply"].pk).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    Document.objects.filter(object_id=corpus["reply"].pk).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    cutoff = (timezone.now() - timedelta(days=30)).date().isoformat()
    assert ids(search(None, f"breastfeeding before:{cutoff}")) == {corpus["reply"].pk}
    assert ids(search(None, f"breastfeeding after:{cutoff}")) == {first_post(corpus["public"]).pk}
    latest = search(None, "breastfeeding order:latest").hits
    assert [h.object_id for h in latest] == [first_post(corpus["public"]).pk, corpus["reply"].pk]


def test_filters_alone_list_newest_first(corpus):
    hits = search(None, "@bob").hits
    assert [h.object_id for h in hits] == [
        first_post(corpus["other"]).pk, corpus["reply"].pk,
    ]  # fmt: skip


def test_phrases_and_exclusions(corpus):
    assert ids(search(None, '"peer supporters"')) == {first_post(corpus["public"]).pk}
    assert ids(search(None, "breastfeeding -volunteers")) == {first_post(corpus["public"]).pk}


def test_bad_filters_are_explained_not_run():
    results = search(None, "status:sleeping before:yesterday")
    assert len(results.problems) == 2
    assert results.hits == []


def test_query_words_are_never_fts_operators(corpus):
    assert search(None, 'NEAR( OR breastfeeding AND "').problems == []


def test_edits_reach_the_index_on_commit(corpus, committed):
    with committed():
        actions.edit_post(
            editor=corpus["bob"], post=corpus["reply"], source="We now train kangaroo carers."
        )
    assert ids(search(None, "kangaroo")) == {corpus["reply"].pk}
    assert corpus["reply"].pk not in ids(search(None, "volunteers"))


def test_rebuild_command_restores_a_lost_index(corpus):
    Document.objects.all().delete()
    call_command("rebuild_search_index")
    assert ids(search(None, "breastfeeding")) == {
        first_post(corpus["public"]).pk, corpus["reply"].pk,
    }  # fmt: skip


def test_compose_writes_the_filters_the_parser_reads():
    text = compose(
        words="parent carers", username="@alice", category="national", tags="a, b",
        in_="mine", status="open", before="2026-01-01", after="2025-01-01", order="latest",
    )  # fmt: skip
    query = parse(text)
    assert (query.username, query.category, query.tags) == ("alice", "national", ["a", "b"])
    assert query.in_mine and query.status == "open" and query.order == "latest"
    assert str(query.before) == "2026-01-01" and str(query.after) == "2025-01-01"


def test_backend_in_use_has_its_full_text_structure():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'search_document_vector'"
            )
            assert "gin" in cursor.fetchone()[0].lower()
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'search_document_fts'")
            assert cursor.fetchone() is not None
