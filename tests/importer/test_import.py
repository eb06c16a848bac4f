"""Import a seeded second instance of our own server through its Discourse API, twice."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from community.forum.models import Post, Reaction, Space, Thread, Topic
from importer.client import DiscourseClient
from importer.models import ImportedObject
from importer.run import DiscourseImport
from tests.factories import make_user
from tests.servers import ROOT, daphne

pytestmark = pytest.mark.django_db


@pytest.fixture
def source_site(tmp_path):
    """A second instance of the network with its own SQLite database and no shared cache."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'source.sqlite3'}",
        "REDIS_URL": "",
        "CACHE_REDIS_URL": "",
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], **run)
    seeded = subprocess.run([sys.executable, "tests/importer/seed_source.py"], **run)
    api_key = seeded.stdout.strip().splitlines()[-1]
    server_env = {k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "CACHE_REDIS_URL", "VAR_DIR")}
    with daphne(**server_env, API_RATE="10000/m") as url:
        yield url, api_key


def _import(url: str, api_key: str, staff):
    client = DiscourseClient(url, api_key=api_key, api_username="importer")
    try:
        return DiscourseImport(
            client, actor=staff, default_topic=Topic.objects.get(slug="hub-model-access")
        ).run()
    finally:
        client.close()


def _state() -> dict:
    return {
        "spaces": Space.objects.count(),
        "threads": list(Thread.objects.order_by("pk").values_list("title", "post_count")),
        "posts": list(Post.objects.order_by("pk").values_list("source", "author__username")),
        "likes": Reaction.objects.count(),
        "remembered": ImportedObject.objects.count(),
    }


def test_an_import_reproduces_the_source_and_a_second_run_changes_nothing(source_site):
    url, api_key = source_site
    staff = make_user(role="staff", username="centre-staff")

    report = _import(url, api_key, staff)

    thread = Thread.objects.get(title="Weekend peer supporters on the ward")
    assert thread.space.slug == "national" and thread.topic.slug == "infant-feeding"
    assert sorted(thread.tags.names()) == ["volunteers", "weekends"]
    posts = list(thread.posts.order_by("number").select_related("author"))
    assert [(p.number, p.author.username, p.source) for p in posts] == [
        (1, "priya", "How do you cover **weekends**?"),
        (2, "lee", "We pay a weekend lead."),
        (3, "priya", "Thank you, that helps a lot."),
    ]
    assert "<strong>weekends</strong>" in posts[0].html
    assert thread.post_count == 3 and thread.highest_post_number == 3
    assert thread.view_count == 57  # the source API's `views`, from its own count
    likes = set(Reaction.objects.values_list("post__number", "user__username"))
    assert likes == {(1, "lee"), (2, "priya")}
    lee = posts[1].author
    assert lee.display_name == "Lee Okoro" and not lee.has_usable_password()
    assert not lee.is_verified and lee.role == "practitioner"
    # A child is never brought across: the source's API does not name them to an adult.
    assert not Thread.objects.filter(title="What would help young parents").exists()
    assert not Post.objects.filter(author__username="kiddo").exists()
    assert report.skipped["likes by members the source does not name"] == 1
    assert report.created["threads"] == 1 and report.created["likes"] == 2

    before = _state()
    again = _import(url, api_key, staff)
    assert _state() == before
    assert sum(again.created.values()) == 0 and again.reused["threads"] == 1
