"""Centre staff see failed background tasks on /staff/tasks/ and send them back to the worker."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from ops import actions
from ops.worker import NetworkWorker
from tests.factories import make_moderator, make_user
from tests.harness import in_test_worker

RAN: list[str] = []


@task
def check_the_mail_relay(label: str) -> str:
    """A task that fails while the test says the relay is down (OPS_TEST_RELAY_DOWN)."""
    if getattr(django_settings, "OPS_TEST_RELAY_DOWN", False):
        raise ConnectionRefusedError(f"relay refused {label}")
    RAN.append(label)
    return label


def _run_next(worker: NetworkWorker) -> DBTaskResult:
    row = worker._claim_next()
    assert row is not None
    worker.run_task(row)
    row.refresh_from_db()
    return row


@pytest.fixture
def failed_task(db, db_tasks, settings) -> DBTaskResult:
    settings.OPS_TEST_RELAY_DOWN = True
    settings.TASK_MAX_ATTEMPTS = 1
    check_the_mail_relay.enqueue("digest-7")
    row = _run_next(in_test_worker())
    assert row.status == TaskResultStatus.FAILED
    return row


@pytest.fixture
def staff(db):
    return make_user("staff")


def test_staff_see_a_failed_task_with_its_error_and_last_attempt(client, staff, failed_task):
    client.force_login(staff)
    page = client.get("/staff/tasks/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "check_the_mail_relay" in body
    assert "ConnectionRefusedError: relay refused digest-7" in body
    assert "Failed after 1 attempt; last attempt <time datetime=" in body
    assert f"/staff/tasks/{failed_task.pk}/retry/" in body


def test_a_task_waiting_for_its_retry_is_shown_with_its_last_error_and_no_retry_button(
    client, staff, db, db_tasks, settings
):
    settings.OPS_TEST_RELAY_DOWN = True
    settings.TASK_MAX_ATTEMPTS = 3
    check_the_mail_relay.enqueue("digest-8")
    row = _run_next(in_test_worker())
    assert row.status == TaskResultStatus.READY
    client.force_login(staff)
    body = client.get("/staff/tasks/").content.decode()
    assert "Waiting to try again (1)" in body
    assert "Last error: ConnectionRefusedError: relay refused digest-8" in body
    assert "1 attempt so far" in body
    assert f"/staff/tasks/{row.pk}/retry/" not in body


def test_staff_retry_sends_a_failed_task_back_and_the_worker_runs_it(
    client, staff, failed_task, settings
):
    client.force_login(staff)
    settings.OPS_TEST_RELAY_DOWN = False  # the cause is fixed
    response = client.post(f"/staff/tasks/{failed_task.pk}/retry/", follow=True)
    assert "check_the_mail_relay is queued again." in response.content.decode()
    failed_task.refresh_from_db()
    assert failed_task.status == TaskResultStatus.READY and failed_task.worker_ids == []
    row = _run_next(in_test_worker())
    assert row.pk == failed_task.pk and row.status == TaskResultStatus.SUCCESSFUL
    assert "digest-7" in RAN
    assert "check_the_mail_relay" not in client.get("/staff/tasks/").content.decode()


def test_a_retried_task_that_fails_again_gets_its_attempts_afresh(staff, failed_task, settings):
    settings.TASK_MAX_ATTEMPTS = 2
    actions.retry_task(actor=staff, task_id=str(failed_task.pk))
    row = _run_next(in_test_worker())
    assert row.status == TaskResultStatus.READY  # one more attempt is due, with backoff
    assert row.run_after > failed_task.finished_at


def test_only_a_failed_task_can_be_retried(staff, failed_task):
    actions.retry_task(actor=staff, task_id=str(failed_task.pk))
    with pytest.raises(ValidationError):
        actions.retry_task(actor=staff, task_id=str(failed_task.pk))


def test_retrying_an_unknown_task_is_a_404(client, staff, db):
    client.force_login(staff)
    response = client.post("/staff/tasks/00000000-0000-0000-0000-000000000000/retry/")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "member", "moderator", "lead"])
def test_only_centre_staff_see_the_tasks_page_or_retry(client, failed_task, who):
    if who != "anonymous":
        user = {
            "member": lambda: make_user(),
            "moderator": lambda: make_moderator(),
            "lead": lambda: make_user(is_safeguarding_lead=True),
        }[who]()
        client.force_login(user)
        with pytest.raises(PermissionDenied):
            actions.retry_task(actor=user, task_id=str(failed_task.pk))
    assert client.get("/staff/tasks/").status_code == 404
    assert client.post(f"/staff/tasks/{failed_task.pk}/retry/").status_code == 404
    failed_task.refresh_from_db()
    assert failed_task.status == TaskResultStatus.FAILED
