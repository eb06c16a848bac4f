"""The library page members share (library/views.py): every member's page is their full
render, the page is fresh after each library write, and nothing of one member reaches another."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.library import actions, permissions
from tests.factories import make_moderator, make_user
from tests.forum.test_fragments import _client_for, _page, full_render

from .conftest import publish, resource_fields

pytestmark = pytest.mark.django_db

LIBRARY = reverse("library:library")
URLS = [LIBRARY, LIBRARY + "?sort=useful", LIBRARY + "?type=guidance&page=1"]


@pytest.fixture
def shelf(owner, reviewer):
    """Two published resources, a draft and one under review (neither may be listed)."""
    publish(actions.create_resource(actor=owner, **resource_fields(title="Reception guide")),
            owner=owner, reviewer=reviewer)  # fmt: skip
    publish(actions.create_resource(actor=owner, **resource_fields(title="Feeding toolkit", type="toolkit")),
            owner=owner, reviewer=reviewer)  # fmt: skip
    writer = make_user(username="writer", display_name="Draft Writer")
    actions.create_resource(actor=owner, **resource_fields(title="Unfinished draft"))
    pending = actions.create_resource(actor=owner, **resource_fields(title="Awaiting review"))
    actions.submit_for_review(actor=owner, resource=pending, reviewers=[reviewer])
    return {"owner": owner, "reviewer": reviewer, "writer": writer}


def _viewers(shelf) -> list:
    minor = make_user(role="young_person", username="younger", display_name="Young Reader",
                      age_band="13-15")  # fmt: skip
    return [
        None,
        make_user(display_name="First Reader"),
        minor,
        make_user(role="practitioner", is_verified=True, display_name="Verified Lead"),
        shelf["owner"],  # a moderator: the add and review-due links, insight
        shelf["reviewer"],
        make_moderator(display_name="Second Moderator"),
        make_user(display_name="Second Reader"),
    ]


def test_each_viewers_library_page_is_their_full_render(settings, shelf):
    viewers = _viewers(shelf)
    for url in URLS:
        with full_render(settings):
            full = [_page(_client_for(user), url) for user in viewers]
        for _round in range(2):  # the first round renders and stores, the second shares
            for user, expected in zip(viewers, full, strict=True):
                assert _page(_client_for(user), url) == expected, f"{url} as seen by {user}"


def test_only_published_resources_and_only_the_viewers_own_header(shelf):
    reader, minor = make_user(display_name="First Reader"), _viewers(shelf)[2]
    _page(_client_for(minor), LIBRARY)  # the minor fills the shared page first
    page = _page(_client_for(reader), LIBRARY)
    assert "Reception guide" in page and "Feeding toolkit" in page
    assert "Unfinished draft" not in page and "Awaiting review" not in page
    assert "First Reader" in page
    assert "Young Reader" not in page  # the minor's name stayed in the minor's own header
    assert reverse("insight:dashboard") not in page  # a moderator's link, not a reader's
    moderator_page = _page(_client_for(shelf["owner"]), LIBRARY)
    assert reverse("library:new") in moderator_page and reverse("library:new") not in page


def test_a_members_messages_are_theirs_alone(shelf):
    rater, other = _client_for(make_user()), _client_for(make_user())
    _page(other, LIBRARY)  # the class's shared page exists before the message does
    resource = permissions.public_resources().order_by("pk").first()
    response = rater.post(reverse("library:rate", args=[resource.pk]), {"useful": "yes"})
    assert response.status_code == 302
    assert "your rating was saved" in _page(rater, LIBRARY)  # the message's hole, filled
    assert "your rating was saved" not in _page(other, LIBRARY)
    assert "your rating was saved" not in _page(rater, LIBRARY)  # shown once, as always


def test_a_new_resource_shows_on_the_next_read(shelf):
    reader = _client_for(make_user())
    assert "Parents' evening plan" not in _page(reader, LIBRARY)
    publish(actions.create_resource(actor=shelf["owner"], **resource_fields(title="Parents' evening plan")),
            owner=shelf["owner"], reviewer=shelf["reviewer"])  # fmt: skip
    assert "Parents&#x27; evening plan" in _page(reader, LIBRARY)


def test_archiving_takes_a_resource_off_the_next_read(shelf):
    from community.library.models import Resource

    reader = _client_for(make_user())
    assert "Feeding toolkit" in _page(reader, LIBRARY)
    toolkit = Resource.objects.get(current_version__title="Feeding toolkit")
    actions.archive_resource(
        actor=shelf["owner"], resource=toolkit, reason="Replaced by a newer toolkit."
    )
    assert "Feeding toolkit" not in _page(reader, LIBRARY)


def test_a_warm_shared_page_costs_a_member_no_query(shelf):
    member = make_user()
    client = _client_for(member)
    _page(_client_for(make_user()), LIBRARY)  # another member of the class fills it
    client.get(LIBRARY)  # this member's session and member rows are cached
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIBRARY).status_code == 200
    assert len(queries.captured_queries) <= 1, [q["sql"] for q in queries.captured_queries]


def test_a_rating_shows_in_the_counts_on_the_next_read(shelf):
    rater = _client_for(make_user())
    resource = permissions.public_resources().order_by("pk").first()
    assert "found it useful" not in _page(rater, LIBRARY)
    rater.post(reverse("library:rate", args=[resource.pk]), {"useful": "yes"})
    assert "1 of 1 found it useful" in _page(rater, LIBRARY)
    assert "1 of 1 found it useful" in _page(_client_for(None), LIBRARY)  # visitors' cache too
