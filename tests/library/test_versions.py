"""Every published change is a new version; readers see the current one; history shows diffs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.library import actions, selectors
from tests.factories import make_user

from .conftest import publish

pytestmark = pytest.mark.django_db


def test_first_publication_is_version_one(published):
    assert published.current_version.number == 1
    assert published.current_version.title == "Setting up a family hub reception"


def test_a_published_change_makes_a_new_version_and_keeps_the_old(published, owner, reviewer):
    actions.update_resource(
        actor=owner, resource=published, source="## What it is\n\nTwo front doors now."
    )
    publish(published, owner=owner, reviewer=reviewer, change_note="Second door")

    versions = list(published.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert published.current_version == versions[1]
    assert "one front door" in versions[0].html and "Two front doors" in versions[1].html
    assert versions[1].change_note == "Second door"


def test_readers_keep_seeing_the_current_version_while_a_change_is_drafted(
    client, published, owner
):
    actions.update_resource(actor=owner, resource=published, title="A draft retitling of it")

    page = client.get(published.get_absolute_url()).content.decode()
    assert "Setting up a family hub reception" in page
    assert "A draft retitling of it" not in page


def test_republishing_unchanged_after_review_makes_no_new_version(published, owner, reviewer):
    actions.mark_due_resources(today=published.next_review_at)
    published.refresh_from_db()
    publish(published, owner=owner, reviewer=reviewer)

    published.refresh_from_db()
    assert published.versions.count() == 1
    assert published.state == "published"
    assert published.log.first().action == "republished"


def test_history_shows_what_changed_between_versions(published, owner, reviewer):
    actions.update_resource(
        actor=owner, resource=published, source="## What it is\n\nTwo front doors now."
    )
    publish(published, owner=owner, reviewer=reviewer)

    history = selectors.resource_history(viewer=make_user(), resource=published)
    newest = history[0]
    assert newest.version.number == 2
    assert ("+", "Two front doors now.") in newest.diff
    assert ("-", "A welcoming reception with **one front door**.") in newest.diff


def test_history_and_old_version_pages_are_permalinks(client, published, owner, reviewer):
    actions.update_resource(actor=owner, resource=published, summary="A different summary now.")
    publish(published, owner=owner, reviewer=reviewer)

    history = client.get(reverse("library:history", args=[published.pk]))
    assert history.status_code == 200 and "Version 2" in history.content.decode()
    old = client.get(reverse("library:version", args=[published.pk, 1]))
    assert old.status_code == 200 and "This is an earlier version" in old.content.decode()
    assert client.get(reverse("library:version", args=[published.pk, 9])).status_code == 404
    short = client.get(reverse("library:resource_short", args=[published.pk]))
    assert short.status_code == 301 and short["Location"] == published.get_absolute_url()
