"""Centre staff open the insight dashboard on seeded activity, read figures that match it,
filter, download the CSV pack and open the printable report; axe at phone and desktop."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from .conftest import make_member, sign_in
from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


def _seed_activity():
    from tests.insight.builders import member, thread, topics

    a, b, c = topics()
    for _ in range(9):
        author = member()
        thread(author, topic=a, replies=[(member(), timedelta(minutes=20))])
    for _ in range(6):
        author = member(region_slug="north-west")
        thread(author, topic=b, replies=[(author, timedelta(hours=3))])
    for _ in range(2):
        thread(member(region_slug="north-west"), topic=c)
    return a, b, c


def _assert_fits_and_accessible(page, name: str) -> None:
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        violations = blocking_violations(page)
        assert not violations, f"{name} at {size['width']} px:\n{describe(violations)}"
        if size is PHONE:
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways at 320 px by {overflow} px"


def _row(page, measure_heading: str, label: str) -> list[str]:
    section = page.locator("section.insight-measure", has=page.get_by_role(
        "heading", name=measure_heading, exact=True))  # fmt: skip
    row = section.locator("tbody tr", has=page.get_by_role("rowheader", name=label, exact=True))
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


def test_staff_read_filter_download_and_print_the_insight_figures(page):
    page.set_default_timeout(30_000)  # the dashboard runs ~25 aggregate queries on a busy CI box
    a, b, c = _seed_activity()
    staff = make_member(username="sam", display_name="Sam Staff", role="staff")
    sign_in(page, staff)

    page.get_by_role("link", name="Insight").click()
    expect(page.get_by_role("heading", name="Insight", level=1)).to_be_visible()
    by_topic = "Threads and replies by practice topic"
    assert _row(page, by_topic, a.name) == ["9", "9"]
    assert _row(page, by_topic, c.name) == ["fewer than 5", "fewer than 5"]
    # Topic c's small count would follow from the total: topic b's is withheld with it.
    assert _row(page, by_topic, b.name) == ["withheld", "withheld"]
    chart = page.get_by_role("img", name="Threads and replies by practice topic")
    expect(chart).to_be_visible()
    expect(page.get_by_text("Not yet collected.").first).to_be_visible()
    _assert_fits_and_accessible(page, "insight dashboard")

    page.get_by_label("Region", exact=True).select_option(label="London")
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_text("Region: London")).to_be_visible()
    assert _row(page, "Threads and replies by region", "London") == ["9", "9"]
    expect(
        page.locator(
            "section.insight-measure", has_text="Threads and replies by region"
        ).get_by_role("rowheader", name="North West")
    ).to_have_count(0)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the figures (ZIP of CSV files)").click()
    with zipfile.ZipFile(download.value.path()) as pack:
        rows = list(csv.reader(io.StringIO(pack.read("providers.threads_by_region.csv").decode())))
        about = dict(csv.reader(io.StringIO(pack.read("about.csv").decode())))
    assert rows[0] == ["Region", "Threads started", "Replies"]
    assert rows[1] == ["London", "9", "9"]
    assert about["Region"] == "London"

    page.get_by_role("link", name="Printable report for these filters").click()
    expect(page.get_by_role("heading", name="Insight report")).to_be_visible()
    expect(page.get_by_role("heading", name="Definitions")).to_be_visible()
    expect(page.get_by_role("heading", name="Privacy and suppression")).to_be_visible()
    _assert_fits_and_accessible(page, "insight report")


def test_a_moderator_sees_only_the_safety_section(page):
    moderator = make_member(username="mo", display_name="Mo Moderator", role="moderator")
    sign_in(page, moderator)

    page.goto("/insight/")

    expect(page.get_by_role("heading", name="Safety", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="Providers say")).to_have_count(0)
