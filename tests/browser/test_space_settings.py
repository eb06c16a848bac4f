"""A moderator sets a space's default practice topic in the browser, at phone and desktop
widths, and the page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from community.forum.models import Space, Topic

from .conftest import make_member, sign_in
from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser


def assert_fits(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"sideways scroll at {width}px: {scroll}px wide"


@pytest.mark.parametrize("width", [320, 1280])
def test_a_moderator_sets_the_default_practice_topic(page, width):
    moderator = make_member(role="moderator", username="modmo")
    space = Space.objects.get(slug="national")
    topic = Topic.objects.exclude(pk=space.default_topic_id).order_by("name").first()
    page.set_viewport_size({"width": width, "height": 800})
    page.set_default_navigation_timeout(60_000)
    sign_in(page, moderator)
    page.goto("/spaces/")
    page.get_by_role("link", name=f"Settings of {space.name}").click()
    expect(page.get_by_role("heading", name=f"Settings of {space.name}")).to_be_visible()
    assert not blocking_violations(page), describe(blocking_violations(page))
    assert_fits(page, 320)
    page.set_viewport_size({"width": width, "height": 800})

    page.get_by_label("Default practice topic").select_option(label=topic.name)
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text(f"The settings of {space.name} are saved.")).to_be_visible()
    space.refresh_from_db()
    assert space.default_topic == topic
    assert not blocking_violations(page), describe(blocking_violations(page))
