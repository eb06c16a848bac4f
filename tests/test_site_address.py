"""Absolute links follow the one configured site address, whatever host a request used."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import any_topic, make_thread, make_user

pytestmark = pytest.mark.django_db

SITE = "https://network.example:8443"


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE + "/"
    settings.ALLOWED_HOSTS = ["*"]


def test_feeds_link_to_the_site_address_not_the_requests_host(client, site):
    thread = make_thread(title="Saturday openings")

    for url in (reverse("feeds:latest"), reverse("library:feed_atom")):
        body = client.get(url, HTTP_HOST="internal-proxy:8000").content.decode()
        assert f"{SITE}/" in body, url
        assert "internal-proxy" not in body, url
    latest = client.get(reverse("feeds:latest"), HTTP_HOST="internal-proxy:8000").content.decode()
    assert f"<link>{SITE}{thread.get_absolute_url()}</link>" in latest


def test_calendar_files_and_the_private_feed_address_use_the_site_address(client, site):
    from community.training import actions

    staff = make_user(role="staff")
    start = timezone.now() + timedelta(days=4)
    event = actions.create_event(
        actor=staff,
        details=actions.EventDetails(
            title="Reaching dads",
            description="Ideas for reaching fathers.",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=5,
            online_url="https://meet.example/dads",
            hosts="Hub lead",
            topics=(any_topic(),),
        ),
    )
    client.force_login(make_user())

    ics = client.get(reverse("training:event_ics", args=[event.pk]), HTTP_HOST="other:1")
    mine = client.get(reverse("training:mine"), HTTP_HOST="other:1").content.decode()

    assert f"{SITE}{event.get_absolute_url()}" in ics.content.decode().replace("\r\n ", "")
    assert f"{SITE}/events/feeds/mine/" in mine and "http://other:1" not in mine


def test_emails_link_to_the_site_address(site):
    from notifications.emails import unsubscribe_url

    assert unsubscribe_url(1, "digest").startswith(f"{SITE}/notifications/unsubscribe/")


def test_make_run_sets_the_site_address_to_what_it_serves():
    out = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=8123"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout

    assert "SITE_URL=${SITE_URL:-http://0.0.0.0:8123}" in out
