"""A thread's views on the lists, as people see them on a phone and a desktop."""

from __future__ import annotations

import time

import pytest

from .test_accessibility import blocking_violations, describe
from .test_phone_layout import MEASURE

pytestmark = pytest.mark.browser


def _list_row(page, title: str):
    return page.locator("tr.thread-row").filter(has_text=title)


def test_reading_a_thread_adds_a_view_that_the_list_shows(signed_in):
    from community.forum import actions
    from tests.factories import make_thread

    thread = make_thread(title="Holiday activities and food: what worked")
    page = signed_in
    page.goto("/")
    row = _list_row(page, thread.title)
    assert row.locator(".view-count .visually-hidden").inner_text() == "0 views"
    row.get_by_role("link", name=thread.title).click()
    page.get_by_role("heading", name=thread.title).wait_for()
    page.go_back()
    page.reload()
    # Counted in the cache, not yet added: the job adds the minute once it has ended.
    assert row.locator(".view-count .visually-hidden").inner_text() == "0 views"
    assert actions.flush_thread_views(now=time.time() + 180) == 1
    # Adding views is no write event: the list kept for the member's class (as the page cache
    # does for visitors) shows the count it was kept with until the next write or its deadline.
    page.reload()
    assert row.locator(".view-count .visually-hidden").inner_text() == "0 views"
    make_thread(title="Someone else starts a thread")
    page.reload()
    assert row.locator(".view-count .visually-hidden").inner_text() == "1 view"
    # Reading it again the same day is not another view.
    row.get_by_role("link", name=thread.title).click()
    page.get_by_role("heading", name=thread.title).wait_for()
    assert actions.flush_thread_views(now=time.time() + 360) == 0


@pytest.mark.parametrize("width", [320, 1280])
def test_views_fit_a_phone_and_read_well_at_both_widths(page, width):
    from community.forum.models import Thread
    from tests.factories import make_thread

    busy = make_thread(
        title="Outreach to families who have never used a hub: a long thread title on purpose"
    )
    quiet = make_thread(title="A quiet thread")
    Thread.objects.filter(pk=busy.pk).update(view_count=1_234_567, post_count=1_250)
    Thread.objects.filter(pk=quiet.pk).update(view_count=1)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/")
    busy_count = _list_row(page, busy.title).locator(".view-count")
    # Short for the eye, whole for a screen reader.
    assert busy_count.locator("span[aria-hidden=true]").inner_text() == "1.2M"
    assert busy_count.locator(".visually-hidden").inner_text() == "1,234,567 views"
    assert _list_row(page, quiet.title).locator(".visually-hidden").inner_text() == "1 view"
    icon = busy_count.locator("svg")
    header = page.get_by_role("columnheader", name="Views")
    if width == 320:
        assert icon.is_visible() and not header.is_visible()  # an eye beside the number
    else:
        assert header.is_visible() and not icon.is_visible()  # a column with its heading
    box = busy_count.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    assert page.evaluate(MEASURE) == []  # no sideways scroll, every control big enough
    violations = blocking_violations(page)
    assert not violations, describe(violations)
