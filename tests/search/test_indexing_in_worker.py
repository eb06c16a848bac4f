"""Search indexing runs in the task worker, off the poster's request; the anonymous page cache
is still bumped in the request, so a new post is on the next page anyone reads."""

from __future__ import annotations

import pytest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from community import events
from community.forum import actions
from community.forum.models import Post
from community.search import indexing
from community.search.models import Document
from tests import factories as f
from tests.harness import in_test_worker

pytestmark = pytest.mark.django_db

INDEXING = "community.search.indexing.on_event"


def _run_queue(committed) -> list[str]:
    worker, ran = in_test_worker(), []
    while True:
        with committed():
            row = worker._claim_next()
            if row is None:
                return ran
            worker.run_task(row)
        row.refresh_from_db()
        assert row.status == TaskResultStatus.SUCCESSFUL, row.traceback
        ran.append(row.task_path)


def _indexing_tasks() -> list[DBTaskResult]:
    return [
        r
        for r in DBTaskResult.objects.filter(
            task_path="community.events.run_subscriber", status=TaskResultStatus.READY
        )
        if r.args_kwargs["args"][0] == INDEXING
    ]


def test_a_reply_is_indexed_by_the_worker_not_in_the_posters_request(client, committed, db_tasks):
    with committed():
        thread = f.make_thread(title="Stay and play", source="Our stay and play group grows.")
    _run_queue(committed)
    with committed():
        reply = actions.create_post(
            author=f.make_user(), thread=thread, source="Try the kingfisher rhyme time."
        )
    # The request only queued the work: the index does not have the reply yet.
    assert not Document.objects.filter(kind="post", object_id=reply.pk).exists()
    [queued] = _indexing_tasks()
    assert queued.args_kwargs["args"][1]["post_id"] == reply.pk
    assert (
        "<mark>kingfisher</mark>"
        not in client.get("/search/", {"q": "kingfisher"}).content.decode()
    )

    assert "community.events.run_subscriber" in _run_queue(committed)
    assert Document.objects.filter(kind="post", object_id=reply.pk).exists()
    assert "<mark>kingfisher</mark>" in client.get("/search/", {"q": "kingfisher"}).content.decode()


def test_an_edit_and_a_deletion_reach_the_index_through_the_worker(client, committed, db_tasks):
    author = f.make_user()
    with committed():
        thread = f.make_thread(author=author, source="Messy play on Tuesdays.")
        reply = actions.create_post(author=author, thread=thread, source="Bring a towel please.")
    _run_queue(committed)
    with committed():
        actions.edit_post(editor=author, post=reply, source="Bring a spare jumper please.")
    _run_queue(committed)
    assert "<mark>jumper</mark>" in client.get("/search/", {"q": "jumper"}).content.decode()
    assert "<mark>towel</mark>" not in client.get("/search/", {"q": "towel"}).content.decode()
    with committed():
        actions.delete_post(actor=author, post=Post.objects.get(pk=reply.pk))
    assert "community.events.run_subscriber" in _run_queue(committed)
    assert "<mark>jumper</mark>" not in client.get("/search/", {"q": "jumper"}).content.decode()


def test_the_same_indexing_task_twice_writes_the_same_document(committed):
    with committed():
        thread = f.make_thread(source="Sensory room opening hours.")
    event = {"type": "post.created", "post_id": thread.posts.get(number=1).pk}
    indexing.on_event(event)
    indexing.on_event(event)
    assert Document.objects.filter(kind="post", object_id=event["post_id"]).count() == 1


def test_events_that_change_nothing_indexed_queue_no_indexing_task(committed, db_tasks):
    assert not indexing.wants({"type": "reaction.added", "post_id": 1})
    assert not indexing.wants({"type": "post.created"})  # nothing to index without its id
    assert indexing.wants({"type": "post.created", "post_id": 1})
    assert indexing.wants({"type": "thread.edited", "thread_id": 1})
    with committed():
        events.publish_on_commit({"type": "reaction.added", "post_id": 1, "thread_id": 1})
    assert _indexing_tasks() == []


def test_anonymous_page_shows_a_new_reply_on_the_next_read_before_the_worker_runs(
    client, committed, db_tasks
):
    with committed():
        thread = f.make_thread(title="Baby massage", source="Where are the classes?")
    url = thread.get_absolute_url()
    assert client.get(url).status_code == 200
    assert client.get(url)["X-Page-Cache"] == "hit"
    with committed():
        actions.create_post(author=f.make_user(), thread=thread, source="At the Lime Street hub.")
    # No worker has run: the page cache was bumped in the request, synchronously.
    page = client.get(url)
    assert page["X-Page-Cache"] == "miss"
    assert "At the Lime Street hub." in page.content.decode()


def test_worker_tasks_are_queued_with_the_change_and_roll_back_with_it(committed, db_tasks):
    """With the worker's queue in the database, the tasks are rows written in the change's own
    transaction: no commit of their own for the poster, and none left by a change undone."""
    from django.db import transaction

    with committed():
        thread = f.make_thread(title="Baby massage", source="Baby massage starts in March.")
    _run_queue(committed)
    with pytest.raises(RuntimeError), committed(), transaction.atomic():
        actions.create_post(author=f.make_user(), thread=thread, source="Undone reply here.")
        assert len(_indexing_tasks()) == 1  # queued inside the change's transaction
        raise RuntimeError("the change fails after the post was written")
    assert _indexing_tasks() == []
    assert not Post.objects.filter(source="Undone reply here.").exists()
