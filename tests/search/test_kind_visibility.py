"""Search filters resources and events by their documents' copy of who may find them.

The copy (`audience`, and a resource's owner) must give exactly what the library's and
training's own rules give (`visible_resources`, `visible_events`) for every viewer, stay so
as resources are published and events move between regions, and the page's hits are checked
against the objects themselves, so a copy not yet refreshed never shows what must not be.
"""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from community.accounts.models import Region
from community.library import actions as library
from community.library import permissions as library_permissions
from community.library.models import Resource
from community.library.search import DOCUMENT_COLUMNS as RESOURCE_COLUMNS
from community.search import indexing, registry
from community.search.models import Document
from community.search.service import search
from community.training import actions as training
from community.training import permissions as training_permissions
from community.training.models import Event
from community.training.search import DOCUMENT_COLUMNS as EVENT_COLUMNS
from tests import factories as f
from tests.library.conftest import publish, resource_fields
from tests.training.builders import make_event, make_staff

pytestmark = pytest.mark.django_db

WORD = "xylophone"


@pytest.fixture
def world(committed):
    """Resources in every state and events national and regional, each carrying WORD, written
    through the actions (documents kept in step by the index's event handlers)."""
    owner = f.make_moderator(username="owner")
    writer = f.make_user(role="expert", username="writer")
    reviewer = f.make_user(role="expert", username="reviewer")
    staff = make_staff(username="staff")
    north_east = Region.objects.get(slug="north-east")
    with committed():
        published = library.create_resource(
            actor=owner, **resource_fields(title=f"Published {WORD} guide")
        )
        publish(published, owner=owner, reviewer=reviewer)
        draft = library.create_resource(actor=owner, **resource_fields(title=f"Draft {WORD}"))
        # A draft owned by a member who does not moderate: only they (and moderators) find it.
        own_draft = Resource.objects.create(
            owner=writer, title=f"Own {WORD} notes", slug="own-notes", summary=f"{WORD} notes"
        )
        in_review = library.create_resource(
            actor=owner, **resource_fields(title=f"In review {WORD}")
        )
        library.submit_for_review(actor=owner, resource=in_review, reviewers=[reviewer])
        archived = library.create_resource(actor=owner, **resource_fields(title=f"Archived {WORD}"))
        publish(archived, owner=owner, reviewer=reviewer)
        library.archive_resource(actor=owner, resource=archived, reason="Replaced by another.")
        national = make_event(staff=staff, title=f"National {WORD} meeting")
        regional = make_event(staff=staff, title=f"Regional {WORD} session", region=north_east)
    indexing.index("resource", [own_draft.pk])  # made without an action: indexed by hand
    return {
        "owner": owner, "writer": writer, "reviewer": reviewer, "staff": staff,
        "published": published, "draft": draft, "own_draft": own_draft,
        "in_review": in_review, "archived": archived, "national": national,
        "regional": regional, "north_east": north_east,
    }  # fmt: skip


def _viewers(world) -> dict[str, object]:
    return {
        "visitor": AnonymousUser(),
        "member": f.make_user(username="someone"),
        "owner of a draft": world["writer"],
        "reviewer": world["reviewer"],
        "young person": f.make_user(role="young_person", age_band="16-17", username="child"),
        "inactive member": f.make_user(username="gone", is_active=False),
        "centre staff": world["staff"],
        "moderator": world["owner"],
    }


def _resource_documents(viewer) -> set[int]:
    q = library_permissions.visible_resources_by_columns(viewer, RESOURCE_COLUMNS)
    return set(Document.objects.filter(q, kind="resource").values_list("object_id", flat=True))


def _event_documents(viewer) -> set[int]:
    q = training_permissions.visible_events_by_columns(viewer, EVENT_COLUMNS)
    return set(Document.objects.filter(q, kind="event").values_list("object_id", flat=True))


def _copies(kind: str) -> dict[int, dict]:
    rows = Document.objects.filter(kind=kind).values("object_id", "audience", "author_id")
    return {row.pop("object_id"): row for row in rows}


def _fresh(kind: str) -> dict[int, dict]:
    return {
        e.object_id: {"audience": "", "author_id": None, **e.attributes}
        for e in registry.get(kind).entries(None)
    }


def assert_in_step() -> None:
    """Every resource's and event's document holds what indexing it afresh would write."""
    for kind in ("resource", "event"):
        assert _copies(kind) == _fresh(kind), kind


def _found(viewer, kind: str) -> set[int]:
    return {h.object_id for h in search(viewer, WORD, per_page=50).hits if h.kind == kind}


def test_the_copy_agrees_with_each_kinds_rule_for_every_viewer(world):
    for name, viewer in _viewers(world).items():
        resources = set(library_permissions.visible_resources(viewer).values_list("pk", flat=True))
        events = set(training_permissions.visible_events(viewer).values_list("pk", flat=True))
        assert _resource_documents(viewer) == resources, name
        assert _event_documents(viewer) == events, name


def test_search_finds_exactly_the_resources_and_events_each_viewer_may_open(world):
    for name, viewer in _viewers(world).items():
        resources = set(library_permissions.visible_resources(viewer).values_list("pk", flat=True))
        events = set(training_permissions.visible_events(viewer).values_list("pk", flat=True))
        assert _found(viewer, "resource") == resources, name
        assert _found(viewer, "event") == events, name


def test_the_cases_reach_each_kind_of_viewer(world):
    visitor, writer = AnonymousUser(), world["writer"]
    assert _found(visitor, "resource") == {world["published"].pk, world["archived"].pk}
    assert world["own_draft"].pk in _found(writer, "resource")
    assert world["in_review"].pk in _found(world["reviewer"], "resource")
    assert world["draft"].pk not in _found(world["reviewer"], "resource")
    assert _found(visitor, "event") == {world["national"].pk}
    assert world["regional"].pk in _found(f.make_user(username="reader"), "event")


def test_the_rule_needs_a_column_for_every_field_it_tests():
    with pytest.raises(ValueError, match="owner_id"):
        library_permissions.visible_resources_by_columns(
            AnonymousUser(), {k: v for k, v in RESOURCE_COLUMNS.items() if k != "owner_id"}
        )


def test_indexing_keeps_the_copy_in_step(world):
    assert_in_step()
    before = {kind: _copies(kind) for kind in ("resource", "event")}
    indexing.rebuild("resource")
    indexing.rebuild("event")
    assert {kind: _copies(kind) for kind in ("resource", "event")} == before


def test_publishing_a_draft_lets_every_reader_find_it(world, committed):
    draft, visitor = world["draft"], AnonymousUser()
    assert draft.pk not in _found(visitor, "resource")
    with committed():
        publish(Resource.objects.get(pk=draft.pk), owner=world["owner"], reviewer=world["reviewer"])
    assert_in_step()
    assert draft.pk in _found(visitor, "resource")


def _move(event: Event, region, staff) -> None:
    event = Event.objects.get(pk=event.pk)
    details = training.EventDetails(
        title=event.title, description=event.description, starts_at=event.starts_at,
        ends_at=event.ends_at, capacity=event.capacity, region=region,
    )  # fmt: skip
    training.update_event(actor=staff, event=event, details=details)


def test_an_event_made_regional_and_national_again(world, committed):
    national, visitor = world["national"], AnonymousUser()
    with committed():
        _move(national, world["north_east"], world["staff"])
    assert_in_step()
    assert national.pk not in _found(visitor, "event")
    assert national.pk in _found(f.make_user(username="reader"), "event")
    with committed():
        _move(national, None, world["staff"])
    assert_in_step()
    assert national.pk in _found(visitor, "event")


def test_a_copy_not_yet_refreshed_never_shows_what_must_not_be(world):
    # As if the worker had not yet run: the objects changed, their documents did not.
    visitor = AnonymousUser()
    Event.objects.filter(pk=world["national"].pk).update(region=world["north_east"])
    Resource.objects.filter(pk=world["published"].pk).update(current_version=None)
    assert Document.objects.get(kind="event", object_id=world["national"].pk).audience == (
        training_permissions.NATIONAL
    )
    assert world["national"].pk not in _found(visitor, "event")
    assert world["published"].pk not in _found(visitor, "resource")


def test_the_migrations_backfill_writes_what_indexing_writes(world):
    Document.objects.filter(kind__in=["resource", "event"]).update(audience="", author_id=None)
    for module in (
        "community.library.migrations.0005_search_document_audience",
        "community.training.migrations.0004_search_document_audience",
    ):
        with connection.cursor() as cursor:
            cursor.execute(importlib.import_module(module).BACKFILL)
    assert_in_step()


def test_filters_still_apply_with_the_copy(world, committed):
    # Dates on a resource are its publication's; on an event, its start.
    published = Resource.objects.get(pk=world["published"].pk)
    day = published.published_at.date()
    assert world["published"].pk in {
        h.object_id for h in search(None, f"{WORD} after:{day.isoformat()}").hits
    }
    assert world["published"].pk not in {
        h.object_id for h in search(None, f"{WORD} before:{day.isoformat()}").hits
    }
    event_day = Event.objects.get(pk=world["national"].pk).starts_at.date()
    hits = search(None, f"{WORD} after:{event_day.isoformat()}").hits
    assert world["national"].pk in {h.object_id for h in hits if h.kind == "event"}
    member = f.make_user(username="reader")
    in_region = {h.object_id for h in search(member, f"{WORD} #north-east").hits}
    assert world["regional"].pk in in_region and world["national"].pk not in in_region
