"""Publishing an event: the worker's task rows are written in the change's transaction, all of
them in one INSERT, and are the rows the task backend itself would write."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from community import events
from community.forum import actions
from notifications.tasks import fan_out
from tests.factories import make_thread, make_user

pytestmark = pytest.mark.django_db

TASK_INSERT = 'INSERT INTO "django_tasks_database_dbtaskresult"'


def _assert_reply_tasks(post) -> list[DBTaskResult]:
    """The queued rows are a reply's: the fan-out, search indexing and webhooks, each its own
    task (retried on its own), each for this post."""
    rows = list(DBTaskResult.objects.order_by("task_path"))
    assert [r.task_path for r in rows] == [
        "community.events.run_subscriber",
        "community.events.run_subscriber",
        "notifications.tasks.fan_out",
    ]
    assert all(r.args_kwargs["args"][-1]["post_id"] == post.pk for r in rows)
    return rows


def test_a_replys_tasks_are_queued_in_one_insert_in_its_transaction(db_tasks):
    thread, author = make_thread(), make_user()
    DBTaskResult.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        post = actions.create_post(author=author, thread=thread, source="A reply the worker tells")
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(TASK_INSERT)]
    assert len(inserts) == 1
    _assert_reply_tasks(post)


def test_task_rows_written_together_are_the_rows_enqueue_writes(db_tasks):
    event = {"type": "post.created", "post_id": 7, "thread_id": 3, "matches": [["a", "b"]]}
    alone = fan_out.enqueue(event).id
    events._write_task_rows(
        [(fan_out, (event,)), (events.run_subscriber, ("webhooks.dispatch.on_event", event))]
    )
    fields = [f.name for f in DBTaskResult._meta.fields if f.name not in ("id", "enqueued_at")]
    single = DBTaskResult.objects.get(pk=alone)
    together = DBTaskResult.objects.exclude(pk=alone).get(task_path=single.task_path)
    assert {f: getattr(together, f) for f in fields} == {f: getattr(single, f) for f in fields}
    # The worker reads them back as the same task with the same arguments.
    subscriber = DBTaskResult.objects.get(task_path="community.events.run_subscriber")
    assert subscriber.task_result.args == ["webhooks.dispatch.on_event", event]
    assert together.task.priority == fan_out.priority == 50


def test_task_rows_roll_back_with_the_change_that_queued_them(db_tasks):
    thread, author = make_thread(), make_user()
    DBTaskResult.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.create_post(author=author, thread=thread, source="A reply that never was")
        raise RuntimeError
    assert not DBTaskResult.objects.exists()


def test_with_the_immediate_backend_the_fan_out_runs_inside_the_transaction():
    """The embedded default and tests: the fan-out's notifications commit with the post."""
    from notifications.models import Notification

    author = make_user()
    thread = make_thread(author=author)
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.create_post(author=make_user(), thread=thread, source="Told, then rolled back")
        assert Notification.objects.filter(user=author, thread=thread).exists()
        raise RuntimeError
    assert not Notification.objects.filter(user=author, thread=thread).exists()


# On PostgreSQL the task rows travel with the COMMIT (community/postgresql): these commit.


def _on_postgresql() -> None:
    from tests.conftest import require_service

    require_service("PostgreSQL", connection.vendor == "postgresql")
    assert connection.writes_with_commit  # settings use community.postgresql


@pytest.mark.django_db(transaction=True)
def test_a_replys_task_rows_are_sent_with_its_commit(network, db_tasks):
    _on_postgresql()
    thread, author = make_thread(), make_user()
    DBTaskResult.objects.all().delete()  # the thread's own
    with CaptureQueriesContext(connection) as queries:
        post = actions.create_post(author=author, thread=thread, source="A reply the worker tells")
    statements = [q["sql"] for q in queries.captured_queries]
    at = next(i for i, sql in enumerate(statements) if sql.startswith(TASK_INSERT))
    # After every statement of the action, in one query with the COMMIT: one round trip.
    assert at == len(statements) - 1 and statements[at].endswith(";\nCOMMIT"), statements[at:]
    rows = _assert_reply_tasks(post)
    assert all(r.task_result.status == "READY" for r in rows)


@pytest.mark.django_db(transaction=True)
def test_task_rows_of_a_rolled_back_savepoint_are_never_written(network, db_tasks):
    _on_postgresql()
    thread, author = make_thread(), make_user()
    DBTaskResult.objects.all().delete()  # the thread's own
    with transaction.atomic():
        kept = actions.create_post(author=author, thread=thread, source="This reply stays")
        with pytest.raises(RuntimeError), transaction.atomic():
            actions.create_post(author=author, thread=thread, source="A reply that never was")
            raise RuntimeError
    posts = {r.args_kwargs["args"][-1]["post_id"] for r in DBTaskResult.objects.all()}
    assert posts == {kept.pk}


@pytest.mark.django_db(transaction=True)
def test_a_write_that_fails_with_the_commit_rolls_the_change_back(network, db_tasks):
    from django.db import IntegrityError

    from community.forum.models import Post
    from community.postgresql import write_with_commit

    _on_postgresql()
    thread, author = make_thread(), make_user()
    DBTaskResult.objects.all().delete()  # the thread's own
    before = Post.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        actions.create_post(author=author, thread=thread, source="Never committed")
        # The reply's own task rows, then a row that breaks the table's primary key.
        assert not DBTaskResult.objects.exists()  # not written yet: they travel with the COMMIT
        write_with_commit(
            f"INSERT INTO {Post._meta.db_table} (id) SELECT id FROM {Post._meta.db_table} LIMIT 1",
            (),
        )
    assert Post.objects.count() == before
    assert not DBTaskResult.objects.exists()
    # The connection is usable afterwards.
    actions.create_post(author=author, thread=thread, source="Committed")
    assert Post.objects.count() == before + 1 and DBTaskResult.objects.exists()
