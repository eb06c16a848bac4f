"""Centre staff find a failed background task, read its error and retry it, in Chromium."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import make_member, sign_in
from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser

TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/srv/fhn/notifications/emails.py", line 88, in send_notification_email\n'
    "    connection.send_messages([message])\n"
    + "".join(f'  File "/srv/fhn/.venv/lib/python3.13/site-packages/smtplib_{i}.py", line {i}\n' for i in range(12))
    + "smtplib.SMTPDataError: (550, b'5.7.1 Relaying denied for a-very-long-address-without-spaces@council.gov.uk')\n"
)  # fmt: skip


def _failed_email_task():
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    return DBTaskResult.objects.create(
        task_path="notifications.emails.send_notification_email",
        args_kwargs={"args": [41], "kwargs": {}},
        backend_name="default",
        queue_name="default",
        priority=0,
        run_after=get_date_max(),
        status=TaskResultStatus.FAILED,
        started_at=now - timedelta(minutes=3),
        finished_at=now - timedelta(minutes=3),
        worker_ids=["web-1", "web-1", "web-2", "web-1", "web-2"],
        exception_class_path="smtplib.SMTPDataError",
        traceback=TRACEBACK,
    )


def assert_page_passes_axe_without_sideways_scroll(page) -> None:
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        violations = blocking_violations(page)
        assert not violations, describe(violations)
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_staff_read_a_failed_tasks_error_and_retry_it(page):
    task = _failed_email_task()
    staff = make_member(username="sol", display_name="Sol Staff", role="staff")
    sign_in(page, staff)
    page.goto("/mod/queue/")
    page.get_by_role("link", name="Failed tasks").click()
    expect(page.get_by_role("heading", name="Failed (1)")).to_be_visible()
    expect(page.get_by_text("Failed after 5 attempts")).to_be_visible()
    expect(page.locator(".task-error")).to_contain_text("smtplib.SMTPDataError: (550")
    page.get_by_text("Details").first.click()
    expect(page.locator("pre.payload")).to_contain_text("send_notification_email")
    assert_page_passes_axe_without_sideways_scroll(page)

    page.get_by_role("button", name="Retry send_notification_email 1").click()

    expect(page.get_by_text("send_notification_email is queued again.")).to_be_visible()
    expect(page.get_by_text("No failed tasks.")).to_be_visible()
    expect(page.get_by_text("as soon as a worker is free")).to_be_visible()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY and task.worker_ids == []
    assert_page_passes_axe_without_sideways_scroll(page)


def test_a_moderator_is_not_shown_the_tasks_page(page):
    moderator = make_member(username="mo", role="moderator")
    sign_in(page, moderator)
    page.goto("/mod/queue/")
    expect(page.get_by_role("link", name="Failed tasks")).to_have_count(0)
    assert page.goto("/staff/tasks/").status == 404
