from __future__ import annotations

import os

import pytest

from community import events

REQUIRE_SERVICES = bool(os.environ.get("REQUIRE_SERVICES"))


def require_service(name: str, available: bool) -> None:
    """Skip when a service is missing on a plain run; fail when CI says it must be there."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} is required (REQUIRE_SERVICES=1) but not configured or not reachable")
    pytest.skip(f"{name} is not configured; set its URL to run this test")  # PostgreSQL or Redis


@pytest.fixture
def published_events(monkeypatch):
    """Capture the events actions publish on commit, as Zulip's capture_send_event_calls."""
    captured: list[dict] = []
    monkeypatch.setattr(events, "_subscribers", [*events._subscribers, captured.append])
    return captured


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block's on-commit callbacks as a real commit would, when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.conf import settings
    from django.core.cache import cache, caches

    from community.forum.assembly import forget_kept_pages
    from community.forum.permissions import forget_group_spaces
    from community.forum.viewcounts import forget_seen
    from community.fragments import forget_local_pages

    # The thread views' buffer may be a cache of its own (the embedded default's files).
    views = caches[settings.VIEW_COUNT_CACHE]
    cache.clear()
    views.clear()
    forget_local_pages()
    forget_kept_pages()
    forget_group_spaces()
    forget_seen()
    yield
    cache.clear()
    views.clear()
    forget_local_pages()
    forget_kept_pages()
    forget_group_spaces()
    forget_seen()


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _quick_database_reset():
    """End each test by emptying only the tables it wrote to (tests/dbreset.py), not by
    Django's flush of every table: the same database for the next test, seconds sooner."""
    from django.test import TransactionTestCase

    from tests.dbreset import reset_database

    django_teardown = TransactionTestCase._fixture_teardown

    def teardown(self) -> None:
        reset_database(lambda: django_teardown(self))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", teardown)
        yield


@pytest.fixture
def network(transactional_db):
    """Regions, topics and spaces for transactional tests (the end of one empties the tables
    it wrote to, these too if it changed them)."""
    from community.accounts.models import LocalAuthority, Region
    from community.accounts.places import load_places
    from community.forum.models import Space, Topic
    from community.forum.structure import load_structure
    from tests import dbreset

    if not Space.objects.exists():
        load_places(Region, LocalAuthority)
        load_structure(Region, Topic, Space)
        dbreset.remember_baseline()
    elif not dbreset.has_baseline():
        dbreset.remember_baseline()


@pytest.fixture
def db_tasks(settings):
    """Enqueue into django-tasks-db's table (what production does) instead of running now."""
    from django.tasks import task_backends
    from django.utils.connection import Local

    def reset() -> None:
        task_backends.__dict__.pop("settings", None)
        task_backends._settings = None
        task_backends._connections = Local(task_backends.thread_critical)

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    reset()
    yield
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    reset()
