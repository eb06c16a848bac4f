"""Searching as a person does: the header box, highlighted results, the advanced form."""

from __future__ import annotations

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
