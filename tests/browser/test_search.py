"""Searching as a person does: the header box, highlighted results, the advanced form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in
from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser


def test_header_search_finds_a_post_and_the_pages_pass_axe(page, member, discussion):
    sign_in(page, member)
    page.goto("/")
    page.get_by_role("search").get_by_label("Search").fill("minibus")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    hit = page.locator(".search-hit").first
    expect(hit).to_contain_text(discussion.thread.title)
    expect(hit.locator("mark")).to_have_text("minibus")
    violations = blocking_violations(page)
    assert not violations, describe(violations)

    page.get_by_text("Advanced search").click()
    page.get_by_label("Posted by").fill("callum")
    page.get_by_label("Order").select_option("latest")
    page.get_by_role("button", name="Search with these filters").click()
    expect(page.locator("#search-q")).to_have_value("@callum order:latest")
    expect(page.locator(".search-hit")).to_have_count(1)
    violations = blocking_violations(page)
    assert not violations, describe(violations)


def test_results_of_every_kind_are_labelled_linked_and_pass_axe(page, discussion):
    from community.library import actions as library
    from tests.factories import make_moderator, make_user
    from tests.library.conftest import publish, resource_fields
    from tests.training.builders import make_event

    owner = make_moderator()
    resource = library.create_resource(
        actor=owner,
        **resource_fields(title="Community transport for hubs", summary="Minibus schemes."),
    )
    publish(resource, owner=owner, reviewer=make_user(role="expert"))
    event = make_event(title="Minibus outreach briefing", description="Routes and funding.")

    page.goto("/search/?q=minibus")
    # The reply and the post quoting it are both found, with the resource and the event.
    expect(page.locator(".search-hit")).to_have_count(4)
    kinds = page.locator(".search-kind")
    expect(kinds.filter(has_text="Post")).to_have_count(2)
    expect(kinds.filter(has_text="Library resource")).to_have_count(1)
    expect(kinds.filter(has_text="Event")).to_have_count(1)
    expect(page.locator(".search-hit-event .meta")).to_contain_text("National · Online · Starts")
    page.get_by_role("link", name="Minibus outreach briefing").click()
    expect(page).to_have_url(re.compile(rf"{event.get_absolute_url()}$"))
    page.go_back()
    expect(page.get_by_role("link", name="Community transport for hubs")).to_have_attribute(
        "href", resource.get_absolute_url()
    )
    violations = blocking_violations(page)
    assert not violations, describe(violations)
