"""Publish what happened, after the transaction that made it commits.

The domain describes events as small JSON dicts with a `type`; subscribers
(notifications, the page cache, the realtime layer) register here, so the domain
never imports the outer rings.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.db import router, transaction
from django.tasks import Task, task
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Every event type, in one place: what publishers may publish and subscribers may listen for
# (tests/config/test_event_types.py checks both ways against the code).
EVENT_TYPES: frozenset[str] = frozenset(
    {
        # Members and access: each ends or narrows what open sockets receive.
        "account.created",
        "account.approved",  # a new account a moderator let in (NEW_ACCOUNTS_NEED_APPROVAL)
        "access.changed",  # role, verification, activity or suspension changed by staff
        "member.verified",
        "user.suspended",
        "user.silenced",
        "membership.joined",
        "membership.left",
        "space.visibility_changed",
        # The forum.
        "space.settings_changed",
        "space.created",
        "thread.created",
        "thread.edited",
        "thread.deleted",
        "thread.hidden",
        "thread.moved",
        "thread.split",
        "thread.status",
        "threads.unpinned",
        "post.created",
        "post.edited",
        "post.deleted",
        "post.restored",
        "post.approved",
        "post.imported",  # brought across from another forum: search only, nobody told
        "answer.accepted",
        "answer.unaccepted",
        "reaction.added",
        "reaction.removed",
        # Moderation.
        "post.flagged",
        "post.edits_locked",
        "post.reported_by_visitor",
        "review.resolved",
        "appeal.opened",
        "appeal.decided",
        "message.reported",
        "message.report_resolved",
        # Private conversations.
        "conversation.message",
        "conversation.left",
        # The library.
        "library.created",
        "library.edited",
        "library.curated",
        "library.submitted",
        "library.reviewed",
        "library.published",
        "library.archived",
        "library.unarchived",
        "library.review_due",
        "library.feedback",
        "library.rated",
        "library.credit_withdrawn",
        "library.words_withdrawn",
        "library.credit_answered",
        # Polls and families' feedback.
        "poll.voted",
        "poll.status",
        "feedback.received",
        "feedback.reviewed",
        "feedback.added_to_resource",
        # Events and training.
        "training.event_created",
        "training.event_updated",
        "training.event_changed",
        "training.event_cancelled",
        "training.registered",
        "training.registration_cancelled",
        "training.promoted",
        "training.reminder",
        "training.message",
        "training.proposal_scheduled",
        # SupportLine.
        "supportline.case_submitted",
        "supportline.case_changed",
        "supportline.message_posted",
        # Web push devices (ids only, never the endpoint).
        "push.device_added",
        "push.device_removed",
        "push.preferences_changed",
        # Privacy.
        "privacy.export_requested",
        "privacy.export_ready",
        "privacy.deletion_requested",
    }
)

Subscriber = Callable[[dict], None]
_subscribers: list[Subscriber] = []
_recorders: list[Subscriber] = []
# Tasks queued in the publishing transaction itself (the notification fan-out): task → which
# events it wants. With the database queue all of an event's task rows are one INSERT.
_transaction_tasks: list[tuple[Task, Callable[[dict], bool]]] = []
# Subscribers whose work nobody waits for (search indexing, webhooks): dotted path → which
# events each wants. After commit, one task per (subscriber, event) runs it in the worker.
_worker_subscribers: dict[str, Callable[[dict], bool]] = {}


def subscribe(subscriber: Subscriber, *, first: bool = False) -> Subscriber:
    """Call `subscriber(event)` after the transaction that published the event commits;
    `first` puts it ahead of the others (what people are waiting to see, before housekeeping)."""
    if subscriber not in _subscribers:
        if first:
            _subscribers.insert(0, subscriber)
        else:
            _subscribers.append(subscriber)
    return subscriber


def subscribe_in_worker(subscriber: Subscriber, *, wants: Callable[[dict], bool]) -> Subscriber:
    """Call `subscriber(event)` in the task worker, for the events `wants(event)` accepts, once
    the transaction that published them commits; the request only enqueues the task.

    Each (subscriber, event) is its own task, so a failure is retried (and shown to staff) for
    that subscriber alone: it must be safe to run twice. With the immediate tasks backend
    (embedded default, tests) it runs right after commit, as a plain subscriber would.
    """
    _worker_subscribers[f"{subscriber.__module__}.{subscriber.__qualname__}"] = wants
    return subscriber


def record_with(recorder: Subscriber) -> Subscriber:
    """Call `recorder(event)` inside the publishing transaction, so its rows commit or roll back
    with the change that caused them (notifications are written this way)."""
    if recorder not in _recorders:
        _recorders.append(recorder)
    return recorder


def enqueue_in_transaction(queued: Task, *, wants: Callable[[dict], bool]) -> Task:
    """Queue `queued(event)` in the transaction that publishes each event `wants(event)`
    accepts, so the task row commits or rolls back with the change (the immediate backend of
    the embedded default and tests runs it there and then, inside the transaction)."""
    if all(queued is not t for t, _wants in _transaction_tasks):
        _transaction_tasks.append((queued, wants))
    return queued


def publish_on_commit(event: dict) -> None:
    """Record the event in the current transaction, and deliver it once that commits."""
    # Round-trip through JSON now, so an unserialisable payload fails in the action's tests.
    payload = json.loads(json.dumps(event))
    if payload.get("type") not in EVENT_TYPES:
        # Not fatal in production; tests/config/test_event_types.py keeps the list complete.
        logger.error("event type %r is not in community.events.EVENT_TYPES", payload.get("type"))
    for recorder in list(_recorders):
        recorder(payload)
    queued = [(t, (payload,)) for t, wants in list(_transaction_tasks) if wants(payload)]
    if _queue_is_durable():
        # The worker's tasks are rows: written in this transaction, they commit (or roll back)
        # with the change, and cost the poster no commit of their own after it (two commits,
        # a third of create_post's time, on the bench machine). All of them in one INSERT:
        # each statement is a round trip the readers' event waits behind.
        queued += _worker_subscriber_tasks(payload)
        _write_task_rows(queued)
        transaction.on_commit(lambda: _deliver(payload, worker=False), robust=True)
    else:
        for task_, args in queued:
            task_.enqueue(*args)
        transaction.on_commit(lambda: _deliver(payload), robust=True)


def _queue_is_durable() -> bool:
    """Whether tasks wait in the database for the worker (production), rather than running
    at once (the embedded default's and tests' immediate backend, which must not run a
    webhook or index a post before the change commits)."""
    from django.tasks import task_backends
    from django.tasks.backends.immediate import ImmediateBackend

    return not isinstance(task_backends["default"], ImmediateBackend)


def _deliver(event: dict, *, worker: bool = True) -> None:
    for subscriber in list(_subscribers):
        try:
            subscriber(event)
        except Exception:  # one failing subscriber must not stop the others
            logger.exception("event subscriber %r failed on %s", subscriber, event.get("type"))
    if worker:
        _enqueue_worker_subscribers(event)


def _worker_subscriber_tasks(event: dict) -> list[tuple[Task, tuple]]:
    queued = []
    for path, wants in list(_worker_subscribers.items()):
        try:
            wanted = wants(event)
        except Exception:
            logger.exception("worker subscriber %s could not judge %s", path, event.get("type"))
            continue
        if wanted:
            queued.append((run_subscriber, (path, event)))
    return queued


def _enqueue_worker_subscribers(event: dict) -> None:
    """After commit (the immediate backend): run each wanted worker subscriber now."""
    for task_, args in _worker_subscriber_tasks(event):
        try:
            task_.enqueue(*args)
        except Exception:  # logged, not raised: the change is committed
            logger.exception("could not enqueue %s for %s", args[0], event.get("type"))


def _write_task_rows(queued: list[tuple[Task, tuple]]) -> None:
    """Queue each `task(*args)` in the current transaction; on django-tasks-db's table, as one
    INSERT of the rows its `enqueue` writes one by one (a test compares the two)."""
    from django.tasks.signals import task_enqueued
    from django.utils.json import normalize_json
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    backends = {t.get_backend() for t, _args in queued}
    backend = backends.pop() if len(backends) == 1 else None
    if len(queued) < 2 or not isinstance(backend, DatabaseBackend):
        for task_, args in queued:
            task_.enqueue(*args)
        return
    rows = []
    for task_, args in queued:
        backend.validate_task(task_)
        rows.append(
            DBTaskResult(
                id=backend._get_id(),
                args_kwargs=normalize_json({"args": list(args), "kwargs": {}}),
                priority=task_.priority,
                task_path=task_.module_path,
                queue_name=task_.queue_name,
                # What django-tasks-db's pre_save handler does (bulk_create sends no signals).
                run_after=task_.run_after or get_date_max(),
                backend_name=backend.alias,
            )
        )
    # The INSERT bulk_create would run, sent with the COMMIT where the database can (nothing
    # in the transaction reads the rows back, and the worker sees them only once committed).
    from django.db import connections
    from django.db.models.sql import InsertQuery

    from community.postgresql import write_with_commit

    using = router.db_for_write(DBTaskResult)
    fields = [f for f in DBTaskResult._meta.concrete_fields if not f.generated]
    insert = InsertQuery(DBTaskResult)
    insert.insert_values(fields, rows)
    for sql, params in insert.get_compiler(connection=connections[using]).as_sql():
        write_with_commit(sql, params, using=using)
    for row in rows:
        row._state.adding = False
        row._state.db = using
        task_enqueued.send(type(backend), task_result=row.task_result)


@task
def run_subscriber(path: str, event: dict) -> None:
    """Run one worker subscriber (`subscribe_in_worker`) on one committed event."""
    if path not in _worker_subscribers:
        raise LookupError(f"{path} is not subscribed in the worker")
    import_string(path)(event)
