"""The scheduled check that marks resources due for review, and the staff page listing them."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from community.library import actions, tasks
from community.library.models import Resource
from notifications.models import Notification
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _make_due(resource, days_ago: int = 1) -> None:
    Resource.objects.filter(pk=resource.pk).update(
        next_review_at=timezone.localdate() - datetime.timedelta(days=days_ago)
    )


def test_the_command_marks_due_resources_and_tells_owner_and_reviewers(published, owner, reviewer):
    _make_due(published)

    call_command("mark_due_resources", stdout=open("/dev/null", "w"))

    published.refresh_from_db()
    assert published.state == Resource.State.REVIEW_DUE
    for person in (owner, reviewer):
        assert Notification.objects.filter(user=person, kind="library_review_due").exists()
    entry = published.log.first()
    assert (entry.action, entry.actor, entry.to_state) == ("review_due", None, "review_due")


def test_resources_not_yet_due_are_left_alone(published):
    assert actions.mark_due_resources() == []
    published.refresh_from_db()
    assert published.state == Resource.State.PUBLISHED


def test_marking_twice_notifies_once(published, owner):
    _make_due(published)
    actions.mark_due_resources()
    actions.mark_due_resources()
    assert Notification.objects.filter(user=owner, kind="library_review_due").count() == 1


def test_the_task_runs_the_same_check(published):
    _make_due(published)
    result = tasks.mark_due_resources.enqueue()
    assert result.return_value == [published.pk]


def test_readers_see_an_overdue_banner_and_last_reviewed(client, published):
    _make_due(published, days_ago=3)
    page = client.get(published.get_absolute_url()).content.decode()
    assert "This resource is overdue for review" in page
    assert "Last reviewed" in page


def test_the_due_page_lists_due_and_overdue_for_staff_only(client, published, owner):
    _make_due(published)
    url = reverse("library:due")
    client.force_login(make_user())
    assert client.get(url).status_code == 403

    client.force_login(owner)
    page = client.get(url).content.decode()
    assert published.get_absolute_url() in page and "Overdue" in page


def test_the_due_page_leaves_out_resources_due_later(client, published, owner):
    client.force_login(owner)
    page = client.get(reverse("library:due")).content.decode()
    assert "Nothing is due for review" in page
