"""The library's pages: who sees what, the facets and their query budget, feeds and forms."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import pagecache
from community.accounts.models import Region
from community.forum.models import Topic
from community.library import actions
from community.library.models import Audience, Resource, ResourceVersion
from tests.factories import make_moderator, make_user

from .conftest import publish, resource_fields

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _urls(resource) -> list[str]:
    return [
        resource.get_absolute_url(),
        reverse("library:history", args=[resource.pk]),
        reverse("library:resource_short", args=[resource.pk]),
    ]


def test_drafts_are_hidden_from_visitors_members_and_other_experts(client, draft):
    for outsider in (None, make_user(), make_user(role="expert", is_verified=True)):
        if outsider:
            client.force_login(outsider)
        for url in _urls(draft):
            assert client.get(url).status_code == 404, (outsider, url)
        assert client.get(reverse("library:edit", args=[draft.pk])).status_code in (302, 404)


def test_drafts_are_shown_to_owner_reviewers_and_moderators(client, draft, owner, reviewer):
    actions.submit_for_review(actor=owner, resource=draft, reviewers=[reviewer])
    for insider in (owner, reviewer, make_moderator()):
        client.force_login(insider)
        response = client.get(draft.get_absolute_url())
        assert response.status_code == 200 and "Not published yet" in response.content.decode()


def test_published_resources_are_public(client, published):
    response = client.get(published.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "A welcoming reception" in page
    assert "Review and publishing" not in page  # the desk is for owners and reviewers


def test_archived_resources_show_a_banner_and_leave_the_listing(client, published, owner):
    actions.archive_resource(actor=owner, resource=published, reason="Superseded by 2026 guidance")
    page = client.get(published.get_absolute_url()).content.decode()
    assert "This resource is archived" in page and "Superseded by 2026 guidance" in page
    assert (
        published.get_absolute_url() not in client.get(reverse("library:library")).content.decode()
    )


def test_feedback_and_the_log_are_only_for_workers(client, published, owner):
    actions.leave_feedback(actor=make_user(), resource=published, text="Please add a template.")
    client.force_login(make_user())
    assert "Please add a template." not in client.get(published.get_absolute_url()).content.decode()
    client.force_login(owner)
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Please add a template." in page and "Feedback from readers: <strong>1</strong>" in page


def test_reader_can_rate_and_leave_feedback_through_the_page(client, published):
    reader = make_user()
    client.force_login(reader)
    assert (
        client.post(reverse("library:rate", args=[published.pk]), {"useful": "yes"}).status_code
        == 302
    )
    response = client.post(reverse("library:feedback", args=[published.pk]), {"text": "no"})
    assert response.status_code == 400
    assert 'name="text"' in response.content.decode()
    published.refresh_from_db()
    assert (published.useful_count, published.rating_count) == (1, 1)


def test_rating_a_draft_is_not_found_for_outsiders(client, draft):
    client.force_login(make_user())
    assert (
        client.post(reverse("library:rate", args=[draft.pk]), {"useful": "yes"}).status_code == 404
    )


def test_new_resource_form_keeps_text_on_error_and_refuses_members(client, owner):
    url = reverse("library:new")
    client.force_login(make_user())
    assert client.get(url).status_code == 403
    client.force_login(owner)
    response = client.post(
        url,
        {
            "title": "Short",
            "summary": "A summary that is long enough.",
            "source": "Body text kept here",
            "type": "guidance",
            "evidence_rating": "not_rated",
            "evidence_type": "practice",
            "review_interval_months": "12",
            "is_national": "on",
        },
    )
    assert response.status_code == 400
    assert "Body text kept here" in response.content.decode()


def test_the_whole_workflow_works_through_the_pages(client, owner, reviewer):
    client.force_login(owner)
    topic = Topic.objects.first()
    response = client.post(
        reverse("library:new"),
        {
            "title": "Reaching fathers through hubs",
            "summary": "What works to welcome dads.",
            "source": "Run Saturday sessions.",
            "type": "case_study",
            "evidence_rating": "not_rated",
            "evidence_type": "practice",
            "review_interval_months": "6",
            "is_national": "on",
            "topics": [topic.pk],
            "tags": "dads, outreach",
        },
    )
    resource = Resource.objects.get(title="Reaching fathers through hubs")
    assert response["Location"] == resource.get_absolute_url()
    client.post(reverse("library:submit", args=[resource.pk]), {"reviewers": [reviewer.pk]})
    client.force_login(reviewer)
    client.post(reverse("library:review", args=[resource.pk]), {"decision": "approve"})
    client.force_login(owner)
    client.post(reverse("library:publish", args=[resource.pk]), {"change_note": "First"})
    resource.refresh_from_db()
    assert resource.state == "published" and resource.current_version.number == 1
    assert set(resource.tags.names()) == {"dads", "outreach"}


def test_asking_for_changes_without_a_comment_is_a_400_with_a_reason(
    client, draft, owner, reviewer
):
    actions.submit_for_review(actor=owner, resource=draft, reviewers=[reviewer])
    client.force_login(reviewer)
    response = client.post(reverse("library:review", args=[draft.pk]), {"decision": "changes"})
    assert response.status_code == 400 and "Say what needs to change." in response.content.decode()


def _bulk_published(count: int, owner) -> None:
    """Many published resources at once, with their facets, for size tests."""
    topics = list(Topic.objects.all()[:3])
    audiences = list(Audience.objects.all())
    regions = list(Region.objects.all()[:2])
    start = Resource.objects.count()
    resources = Resource.objects.bulk_create(
        Resource(
            title=f"Bulk resource {start + i}",
            slug=f"bulk-resource-{start + i}",
            summary="Summary",
            source="Body",
            html="<p>Body</p>",
            owner=owner,
            state="published",
            type="guidance" if i % 2 else "template",
            evidence_rating="3" if i % 3 else "not_rated",
            is_national=bool(i % 2),
            useful_count=i % 7,
            rating_count=i % 9,
        )
        for i in range(count)
    )
    versions = ResourceVersion.objects.bulk_create(
        ResourceVersion(
            resource=r,
            number=1,
            title=r.title,
            summary="Summary",
            source="Body",
            html="<p>Body</p>",
            published_by=owner,
        )
        for r in resources
    )
    for r, v in zip(resources, versions, strict=True):
        r.current_version = v
    Resource.objects.bulk_update(resources, ["current_version"])
    Resource.topics.through.objects.bulk_create(
        Resource.topics.through(resource=r, topic=topics[i % len(topics)])
        for i, r in enumerate(resources)
    )
    Resource.audiences.through.objects.bulk_create(
        Resource.audiences.through(resource=r, audience=audiences[i % len(audiences)])
        for i, r in enumerate(resources)
    )
    Resource.regions.through.objects.bulk_create(
        Resource.regions.through(resource=r, region=regions[i % len(regions)])
        for i, r in enumerate(resources)
        if not r.is_national
    )


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?sort=useful",
        "?type=guidance&evidence=3&audience=practitioner",
        "?region=national&reviewed=12&topic=start-for-life",
        "?region=london&tag=none&sort=newest&page=2",
    ],
)
def test_library_page_queries_do_not_grow_with_resources(
    client, owner, django_assert_max_num_queries, query
):
    client.force_login(make_user())
    url = reverse("library:library") + query

    def count() -> int:
        # A new write generation each time: the member's page is rendered in full, not taken
        # from the page shared by their class (tests/library/test_shared_page.py has that).
        pagecache.invalidate()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _bulk_published(5, owner)
    count()  # warm process-wide caches (content types for the tag filter)
    small = count()
    _bulk_published(120, owner)
    large = count()
    assert small == large
    pagecache.invalidate()
    with django_assert_max_num_queries(10):
        client.get(url)


def test_facets_filter_the_listing(client, owner, reviewer):
    london = Region.objects.get(slug="london")
    practitioners = Audience.objects.get(slug="practitioner")
    local = actions.create_resource(
        actor=owner,
        **resource_fields(
            title="London hub mapping template",
            type="template",
            is_national=False,
            regions=[london],
            audiences=[practitioners],
            evidence_rating="3+",
        ),
    )
    national = actions.create_resource(
        actor=owner, **resource_fields(title="National guidance on hub buildings")
    )
    for r in (local, national):
        publish(r, owner=owner, reviewer=reviewer)
    library = reverse("library:library")

    def titles(query: str) -> set[str]:
        page = client.get(library + query).content.decode()
        return {t for t in ("London hub mapping", "National guidance on hub") if t in page}

    assert titles("") == {"London hub mapping", "National guidance on hub"}
    assert titles("?region=london") == {"London hub mapping"}
    assert titles("?region=national") == {"National guidance on hub"}
    assert titles("?type=template") == {"London hub mapping"}
    assert titles("?audience=practitioner") == {"London hub mapping"}
    assert titles("?evidence=3%2B") == {"London hub mapping"}
    assert titles("?reviewed=6") == {"London hub mapping", "National guidance on hub"}
    assert titles("?type=not-a-type") == {"London hub mapping", "National guidance on hub"}


def test_the_listing_names_each_resources_type_and_evidence_rating(client, owner, reviewer):
    resource = actions.create_resource(
        actor=owner,
        **resource_fields(title="Hub mapping template", type="template", evidence_rating="3+"),
    )
    publish(resource, owner=owner, reviewer=reviewer)

    page = client.get(reverse("library:library")).content.decode()

    assert "<span>Template</span>" in page
    assert "<span>Evidence: Level 3+</span>" in page


def test_a_stored_type_no_longer_offered_is_shown_as_it_is_stored():
    resource = Resource(type="leaflet", evidence_rating="5")

    assert (resource.type_label, resource.evidence_rating_label) == ("leaflet", "5")


def test_most_useful_sort_puts_the_most_useful_first(client, owner, reviewer):
    first = publish(
        actions.create_resource(actor=owner, **resource_fields(title="Older but very useful")),
        owner=owner,
        reviewer=reviewer,
    )
    publish(
        actions.create_resource(actor=owner, **resource_fields(title="Newer and untested")),
        owner=owner,
        reviewer=reviewer,
    )
    actions.rate_resource(actor=make_user(), resource=first, useful=True)
    page = client.get(reverse("library:library") + "?sort=useful").content.decode()
    assert page.index("Older but very useful") < page.index("Newer and untested")
    page = client.get(reverse("library:library")).content.decode()
    assert page.index("Newer and untested") < page.index("Older but very useful")


def test_the_rss_feed_lists_published_resources_only(client, published, owner):
    actions.create_resource(actor=owner, **resource_fields(title="A secret draft resource"))
    response = client.get(reverse("library:feed_rss"))
    root = ET.fromstring(response.content)
    items = root.findall("./channel/item")
    assert [i.findtext("title") for i in items] == ["Setting up a family hub reception"]
    assert items[0].findtext("link").endswith(published.get_absolute_url())


def test_the_atom_feed_parses_and_links_to_the_permalink(client, published):
    response = client.get(reverse("library:feed_atom"))
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].find(f"{ATOM}link").get("href").endswith(published.get_absolute_url())
    assert entries[0].findtext(f"{ATOM}summary") == published.current_version.summary


def test_the_work_page_lists_reviews_waiting_for_the_reviewer(client, draft, owner, reviewer):
    actions.submit_for_review(actor=owner, resource=draft, reviewers=[reviewer])
    client.force_login(reviewer)
    page = client.get(reverse("library:work")).content.decode()
    assert draft.get_absolute_url() in page
    client.force_login(make_user())
    assert draft.get_absolute_url() not in client.get(reverse("library:work")).content.decode()


def _grow(resource, count: int) -> None:
    """Credits with quoted words, feedback and ratings: everything a resource page lists."""
    from community.library.models import Contribution, Credit, Feedback

    for _i in range(count):
        person = make_user()
        credit = Credit.objects.create(resource=resource, user=person, role="practitioner")
        Contribution.objects.create(resource=resource, credit=credit, source="Words")
        Feedback.objects.create(resource=resource, user=person, text="Feedback words")


@pytest.mark.parametrize("who", ["reader", "owner"])
def test_resource_page_queries_do_not_grow_with_credits_and_feedback(
    client, published, owner, who, django_assert_max_num_queries
):
    client.force_login(owner if who == "owner" else make_user())
    url = published.get_absolute_url()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _grow(published, 2)
    client.get(url)  # the member's row and bell count are cached from here on
    small = count()
    _grow(published, 25)
    large = count()
    assert small == large
    with django_assert_max_num_queries(24):
        client.get(url)
