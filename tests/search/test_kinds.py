"""Library resources and training events in site search, through each app's own visibility
rule. These run on SQLite by default and on PostgreSQL when DATABASE_URL points to one; the
answers must be the same on both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from community.accounts.models import Region
from community.forum import actions as forum
from community.forum.models import Topic
from community.library import actions as library
from community.library.models import Resource, ResourceVersion
from community.search import backends
from community.search.indexing import rebuild
from community.search.models import Document
from community.search.service import search
from community.training import actions as training
from community.training.models import Event
from tests import factories as f
from tests.library.conftest import publish, resource_fields
from tests.training.builders import make_event, make_staff

pytestmark = pytest.mark.django_db


def found(results, kind: str) -> set[int]:
    return {hit.object_id for hit in results.hits if hit.kind == kind}


def kinds(results) -> set[tuple[str, int]]:
    return {(hit.kind, hit.object_id) for hit in results.hits}


@pytest.fixture
def people():
    return {
        "owner": f.make_moderator(username="olu"),
        "reviewer": f.make_user(role="expert", username="rhian"),
        "member": f.make_user(username="outsider"),
        "staff": make_staff(username="sam"),
    }


@pytest.fixture
def topics():
    first, second = Topic.objects.order_by("slug")[:2]
    return first, second


@pytest.fixture
def library_items(committed, people, topics):
    """A published, a draft, an in-review and an archived resource, all about kinship care."""
    owner, reviewer = people["owner"], people["reviewer"]
    with committed():
        published = library.create_resource(
            actor=owner,
            **resource_fields(
                title="Kinship care guide",
                summary="Supporting grandparents raising grandchildren in kinship care.",
                source="Hubs run **kinship** carers' groups on Saturday mornings.",
                topics=[topics[0]],
                tags=["carers"],
            ),
        )
        publish(published, owner=owner, reviewer=reviewer)
        draft = library.create_resource(
            actor=owner,
            **resource_fields(
                title="Kinship care draft notes",
                summary="Early notes on kinship placements, not yet reviewed.",
                topics=[topics[1]],
            ),
        )
        in_review = library.create_resource(
            actor=owner,
            **resource_fields(
                title="Kinship allowances explained",
                summary="What kinship carers can claim, waiting for review.",
                topics=[topics[1]],
            ),
        )
        library.submit_for_review(actor=owner, resource=in_review, reviewers=[reviewer])
        archived = library.create_resource(
            actor=owner,
            **resource_fields(
                title="Kinship care in 2019",
                summary="An older kinship overview kept for reference.",
                topics=[topics[1]],
            ),
        )
        publish(archived, owner=owner, reviewer=reviewer)
        library.archive_resource(actor=owner, resource=archived, reason="Replaced by the guide.")
    return {"published": published, "draft": draft, "in_review": in_review, "archived": archived}


@pytest.fixture
def training_events(committed, people, topics):
    """An upcoming national, a regional, a cancelled and a past event, all about kinship care."""
    staff = people["staff"]
    with committed():
        national = make_event(
            staff=staff,
            title="Kinship carers' network meeting",
            description="Meet other hubs supporting kinship families.",
            starts_at=timezone.now() + timedelta(days=20),
            topics=(topics[0],),
        )
        regional = make_event(
            staff=staff,
            title="Kinship care in the North East",
            description="A regional session on kinship support.",
            region=Region.objects.get(slug="north-east"),
            starts_at=timezone.now() + timedelta(days=30),
        )
        cancelled = make_event(
            staff=staff,
            title="Kinship care clinic",
            description="Drop-in advice on kinship arrangements.",
            starts_at=timezone.now() + timedelta(days=40),
        )
        training.cancel_event(actor=staff, event=cancelled, reason="The speaker is unwell.")
        past = make_event(
            staff=staff,
            title="Kinship care last year",
            description="Kinship session that has happened.",
            starts_at=timezone.now() + timedelta(days=1),
        )
    # Events cannot be scheduled in the past: move this one back once it exists.
    Event.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - timedelta(days=300),
        ends_at=timezone.now() - timedelta(days=300) + timedelta(hours=2),
    )
    return {"national": national, "regional": regional, "cancelled": cancelled, "past": past}


# --- Library resources ---------------------------------------------------------------------


def test_published_resource_is_found_with_a_highlighted_snippet(library_items):
    results = search(None, "grandparents")
    assert kinds(results) == {("resource", library_items["published"].pk)}
    hit = results.hits[0]
    assert "<mark>grandparents</mark>" in hit.snippet
    assert hit.url == library_items["published"].get_absolute_url()
    assert hit.label == "Library resource"


def test_draft_and_in_review_resources_are_not_found_by_outsiders(library_items, people):
    hidden = {library_items["draft"].pk, library_items["in_review"].pk}
    for viewer in (None, people["member"]):
        assert not found(search(viewer, "kinship"), "resource") & hidden


def test_draft_resources_are_found_by_their_owner_reviewers_and_moderators(library_items, people):
    draft, in_review = library_items["draft"], library_items["in_review"]
    assert {draft.pk, in_review.pk} <= found(search(people["owner"], "kinship"), "resource")
    assert in_review.pk in found(search(people["reviewer"], "kinship"), "resource")
    assert draft.pk not in found(search(people["reviewer"], "kinship"), "resource")
    assert draft.pk in found(search(f.make_moderator(), "kinship"), "resource")


def test_archived_resource_is_found_and_marked_archived(library_items):
    results = search(None, "overview")
    assert kinds(results) == {("resource", library_items["archived"].pk)}
    assert "Archived" in results.hits[0].context


def test_unpublished_edits_of_a_published_resource_are_not_searchable(
    library_items, people, committed
):
    resource = library_items["published"]
    with committed():
        library.update_resource(
            actor=people["owner"], resource=resource, source="Now about **aardvarks** too."
        )
    assert found(search(None, "aardvarks"), "resource") == set()
    # Readers still find the published words, and the published title.
    hit = search(None, "grandparents").hits[0]
    assert (hit.object_id, hit.title) == (resource.pk, "Kinship care guide")


def test_draft_edits_reach_the_index_for_the_owner(library_items, people, committed):
    draft = library_items["draft"]
    with committed():
        library.update_resource(
            actor=people["owner"], resource=draft, summary="Notes about respite breaks."
        )
    assert found(search(people["owner"], "respite"), "resource") == {draft.pk}


def test_publishing_makes_the_new_version_searchable(library_items, people, committed):
    resource = library_items["published"]
    with committed():
        library.update_resource(
            actor=people["owner"], resource=resource, source="Now about **aardvarks** too."
        )
        publish(resource, owner=people["owner"], reviewer=people["reviewer"])
    assert found(search(None, "aardvarks"), "resource") == {resource.pk}


def test_words_withdrawn_from_a_resource_leave_the_index(committed, people):
    adult = f.make_user(role="parent_carer")
    with committed():
        thread = f.make_thread(title="Saturday opening", source="Our hub opens on Saturdays.")
        forum.create_post(author=adult, thread=thread, source="The ukulele group helped me.")
        resource = library.curate_thread(actor=people["owner"], thread=thread)
        publish(resource, owner=people["owner"], reviewer=people["reviewer"])
    assert found(search(None, "ukulele"), "resource") == {resource.pk}
    with committed():
        library.withdraw_words(actor=adult, credit=resource.credits.get(user=adult))
    assert found(search(None, "ukulele"), "resource") == set()


def test_topic_region_and_tag_filters_apply_to_resources(library_items, topics):
    published = library_items["published"]
    assert found(search(None, f"kinship #{topics[0].slug}"), "resource") == {published.pk}
    assert found(search(None, f"kinship #{topics[1].slug}"), "resource") == {
        library_items["archived"].pk
    }
    assert found(search(None, "kinship tags:carers"), "resource") == {published.pk}


def test_filters_that_mean_nothing_for_resources_leave_them_out(library_items, people):
    for text in ("kinship @olu", "kinship in:mine", "kinship status:open", "kinship #national"):
        assert found(search(people["owner"], text), "resource") == set(), text


def test_date_filters_use_the_publication_date(library_items):
    Resource.objects.filter(pk=library_items["published"].pk).update(
        published_at=timezone.now() - timedelta(days=400)
    )
    cutoff = (timezone.now() - timedelta(days=30)).date().isoformat()
    assert found(search(None, f"kinship before:{cutoff}"), "resource") == {
        library_items["published"].pk
    }
    assert library_items["published"].pk not in found(
        search(None, f"kinship after:{cutoff}"), "resource"
    )


# --- Training events -----------------------------------------------------------------------


def test_upcoming_national_event_is_found_with_a_highlighted_snippet(training_events):
    results = search(None, "hubs supporting")
    assert ("event", training_events["national"].pk) in kinds(results)
    hit = next(h for h in results.hits if h.kind == "event")
    assert "<mark>supporting</mark>" in hit.snippet
    assert hit.url == training_events["national"].get_absolute_url()
    assert (hit.label, hit.date_label) == ("Event", "Starts")


def test_regional_events_are_found_by_members_not_visitors(training_events, people):
    regional = training_events["regional"].pk
    assert regional not in found(search(None, "kinship"), "event")
    assert regional in found(search(people["member"], "kinship"), "event")


def test_cancelled_event_stays_findable_marked_cancelled(training_events):
    results = search(None, "clinic")
    assert kinds(results) == {("event", training_events["cancelled"].pk)}
    hit = results.hits[0]
    assert "Cancelled" in hit.context and hit.date_label == "Was to start"
    assert found(search(None, "speaker unwell"), "event") == {training_events["cancelled"].pk}


def test_past_events_are_found_as_having_taken_place(training_events):
    hit = search(None, "happened").hits[0]
    assert (hit.object_id, hit.date_label) == (training_events["past"].pk, "Took place")


def test_event_text_edits_reach_the_index(training_events, people, committed, topics):
    event = training_events["national"]
    details = training.EventDetails(
        title=event.title,
        description="Now also about special guardianship.",
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        capacity=event.capacity,
        topics=(topics[0],),
    )
    with committed():
        training.update_event(actor=people["staff"], event=event, details=details)
    assert found(search(None, "guardianship"), "event") == {event.pk}


def test_topic_region_and_date_filters_apply_to_events(training_events, topics, people):
    national, regional = training_events["national"].pk, training_events["regional"].pk
    assert found(search(None, f"kinship #{topics[0].slug}"), "event") == {national}
    assert found(search(people["member"], "kinship #north-east"), "event") == {regional}
    assert found(search(None, "kinship #north-east"), "event") == set()
    start = (timezone.localdate() + timedelta(days=25)).isoformat()
    assert found(search(people["member"], f"kinship after:{start}"), "event") == {
        regional, training_events["cancelled"].pk,
    }  # fmt: skip
    today = timezone.localdate().isoformat()
    assert found(search(None, f"kinship before:{today}"), "event") == {training_events["past"].pk}


def test_filters_that_mean_nothing_for_events_leave_them_out(training_events, people):
    for text in (
        "kinship @sam",
        "kinship tags:carers",
        "kinship in:bookmarks",
        "kinship #national",
    ):
        assert found(search(people["staff"], text), "event") == set(), text


# --- Every kind together ------------------------------------------------------------------


def test_posts_resources_and_events_are_ranked_together(library_items, training_events, committed):
    with committed():
        thread = f.make_thread(title="Respite for carers", source="Who runs kinship groups?")
    results = search(None, "kinship")
    assert {hit.kind for hit in results.hits} == {"post", "resource", "event"}
    # Every resource and event has the word in its title; the post has it only in its body.
    assert (results.hits[-1].kind, results.hits[-1].object_id) == (
        "post", thread.posts.get(number=1).pk,
    )  # fmt: skip


def test_rebuild_command_indexes_resources_and_events(library_items, training_events):
    before = search(f.make_moderator(), "kinship")
    Document.objects.filter(kind__in=["resource", "event"]).delete()
    assert search(None, "grandparents").hits == []
    call_command("rebuild_search_index")
    assert kinds(search(f.make_moderator(), "kinship")) == kinds(before)
    call_command("rebuild_search_index", "event")
    assert Document.objects.filter(kind="event").count() == 4


def test_search_json_keeps_posts_in_discourse_keys_and_others_beside(
    client, library_items, training_events, committed
):
    with committed():
        thread = f.make_thread(title="Kinship care question", source="Who runs kinship groups?")
    data = client.get("/search.json", {"q": "kinship"}).json()
    assert [p["topic_id"] for p in data["posts"]] == [thread.pk]
    assert [t["id"] for t in data["topics"]] == [thread.pk]
    assert {r["id"] for r in data["resources"]} == {
        library_items["published"].pk, library_items["archived"].pk,
    }  # fmt: skip
    assert {e["id"] for e in data["events"]} == {
        training_events["national"].pk, training_events["cancelled"].pk,
        training_events["past"].pk,
    }  # fmt: skip
    event = next(e for e in data["events"] if e["id"] == training_events["national"].pk)
    assert event["url"] == training_events["national"].get_absolute_url()
    assert event["region"] is None and event["cancelled"] is False
    assert "kinship" in event["blurb"].lower() and "<mark>" not in event["blurb"]
    assert data["grouped_search_result"]["event_ids"] == [e["id"] for e in data["events"]]


def _bulk_resources(owner, count: int) -> None:
    now = timezone.now()
    resources = Resource.objects.bulk_create(
        Resource(
            title=f"Bulk resource {i}",
            slug=f"bulk-resource-{i}",
            summary="Body",
            source="Body",
            html="",
            owner=owner,
            state=Resource.State.PUBLISHED,
            published_at=now,
        )  # fmt: skip
        for i in range(count)
    )
    versions = ResourceVersion.objects.bulk_create(
        ResourceVersion(
            resource=r,
            number=1,
            title=r.title,
            summary="Body",
            source="Body",
            html="",
            published_by=owner,
        )  # fmt: skip
        for r in resources
    )
    for resource, version in zip(resources, versions, strict=True):
        resource.current_version = version
    Resource.objects.bulk_update(resources, ["current_version"])


def _bulk_events(staff, count: int) -> None:
    start = timezone.now() + timedelta(days=10)
    Event.objects.bulk_create(
        Event(
            title=f"Bulk event {i}",
            description="Body",
            description_text="Body",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=10,
            created_by=staff,
            region=Region.objects.order_by("pk").first() if i % 2 else None,
        )  # fmt: skip
        for i in range(count)
    )


def _rebuild_all() -> None:
    """Index everything, then date the documents so the kinds alternate on the first page
    (every one matches "body" equally well, so the newest come first)."""
    now = timezone.now()
    for kind in ("post", "resource", "event"):
        rebuild(kind)
        docs = list(Document.objects.filter(kind=kind).order_by("-id"))
        for age, doc in enumerate(docs):
            doc.created_at = now - timedelta(minutes=age)
        Document.objects.bulk_update(docs, ["created_at"])


def _kinds_shown(response) -> set[str]:
    return {k for k in ("post", "resource", "event") if f"search-hit-{k}" in response.text}


@pytest.mark.parametrize("signed_in", [False, True])
def test_search_page_queries_stay_fixed_with_every_kind(
    client, people, django_assert_max_num_queries, signed_in
):
    if signed_in:
        client.force_login(people["member"])
    # The spaces the viewer may read (ids, so the planner knows how many posts they hold),
    # the match, then one load per kind on the page (and the member and their unread count).
    budget = 7 if signed_in else 5
    if connection.vendor == "postgresql":
        # Plus, once per ten minutes per process, what PostgreSQL's statistics say about
        # the index (how the backend looks for a word's newest matches): read here first.
        backends._read_statistics()
    space = f.national()
    f.bulk_threads(space, 3)
    _bulk_resources(people["owner"], 3)
    _bulk_events(people["staff"], 3)
    _rebuild_all()
    with django_assert_max_num_queries(budget):
        small = client.get("/search/", {"q": "body"})
    assert _kinds_shown(small) == {"post", "resource", "event"}
    f.bulk_threads(space, 30)
    _bulk_resources(people["owner"], 30)
    _bulk_events(people["staff"], 30)
    _rebuild_all()
    with django_assert_max_num_queries(budget):
        large = client.get("/search/", {"q": "body"})
    assert _kinds_shown(large) == {"post", "resource", "event"}
