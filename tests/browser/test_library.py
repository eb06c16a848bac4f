"""A moderator curates a thread into a published resource; the library's pages pass axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import make_member, sign_in
from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def library_taxonomy(network_structure):
    """Audiences and age stages, which the transactional flush removes with the migration data."""
    from community.library.models import AgeStage, Audience
    from community.library.taxonomy import load_taxonomy

    if not Audience.objects.exists():
        load_taxonomy(Audience, AgeStage)


@pytest.fixture
def new_page(browser, live_server):
    """Another person's browser: a separate context, so each signs in on their own."""
    contexts = []

    def open_page():
        context = browser.new_context(
            base_url=live_server.url, bypass_csp=True, locale="en-GB", timezone_id="Europe/London"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def assert_accessible(page) -> None:
    violations = blocking_violations(page)
    assert not violations, f"{page.url}:\n{describe(violations)}"


def test_moderator_curates_a_thread_into_a_published_resource(page, new_page, discussion):
    moderator = make_member(role="moderator", username="mo", display_name="Mo Rahman")
    reviewer = make_member(role="expert", username="rhian", display_name="Rhian Evans")

    # The moderator turns the thread into a draft, quoting every post.
    sign_in(page, moderator)
    page.goto(discussion.thread.get_absolute_url() + "?page=1")
    page.get_by_role("link", name="Turn this thread into a library resource").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Turn “Running a stay-and-play")
    assert_accessible(page)
    page.get_by_label("Title of the draft resource").fill("Reaching rural families")
    page.get_by_role("button", name="Make a draft resource").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reaching rural families")
    expect(page.get_by_text("Not published yet")).to_be_visible()
    expect(page.locator(".working-copy")).to_contain_text("A community minibus helped us")
    assert_accessible(page)
    draft_url = page.url

    # A quoted author agrees to be credited, from their credits page.
    author = new_page()
    sign_in(author, discussion.replier)
    author.goto("/library/credits/")
    author.get_by_role("link", name="Reaching rural families").click()
    expect(author.get_by_text("A community minibus helped us")).to_be_visible()
    assert_accessible(author)
    author.get_by_role("radio", name=re.compile("Yes: quote my words")).check()
    author.get_by_role("button", name="Save my answer").click()
    expect(author.get_by_text("you agreed to be credited and quoted")).to_be_visible()

    # The moderator edits the draft and sends it for review.
    page.goto(draft_url)
    page.get_by_role("link", name="Edit the working copy").click()
    assert_accessible(page)
    page.get_by_label("Summary").fill("How hubs reach families who live far from a centre.")
    page.get_by_label("Evidence type").select_option(label="Practice-based evidence")
    page.get_by_role("checkbox", name="Parents and carers").check()
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("link", name="Send for review").click()
    assert_accessible(page)
    page.get_by_role("checkbox", name="Rhian Evans (Expert)").check()
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_text("Sent for review")).to_be_visible()

    # The reviewer approves.
    review = new_page()
    sign_in(review, reviewer)
    review.goto("/library/work/")
    assert_accessible(review)
    review.get_by_role("link", name="Reaching rural families").click()
    review.get_by_role("radio", name="Approve").check()
    review.get_by_role("button", name="Send review").click()
    expect(review.get_by_text("Your review was recorded")).to_be_visible()

    # The moderator publishes; readers find it in the library, credited and linked to the thread.
    page.goto(draft_url)
    assert_accessible(page)
    page.get_by_label("What changed").fill("First version")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published. Readers now see this version.")).to_be_visible()

    reader = new_page()
    reader.goto("/library/")
    assert_accessible(reader)
    reader.get_by_role("link", name="Reaching rural families").click()
    expect(reader.get_by_text("Callum Reid, practitioner")).to_be_visible()
    expect(reader.get_by_text("Last reviewed")).to_be_visible()
    assert_accessible(reader)
    reader.get_by_role("link", name="a conversation in the network").click()
    expect(reader.get_by_role("link", name="Reaching rural families")).to_be_visible()


def test_library_staff_pages_pass_axe(page, discussion):
    from community.library import actions
    from tests.library.conftest import publish, resource_fields

    moderator = make_member(role="moderator", username="mo", display_name="Mo Rahman")
    reviewer = make_member(role="expert", username="rhian", display_name="Rhian Evans")
    resource = actions.create_resource(actor=moderator, **resource_fields())
    publish(resource, owner=moderator, reviewer=reviewer)
    actions.update_resource(actor=moderator, resource=resource, summary="A second summary here.")
    publish(resource, owner=moderator, reviewer=reviewer)

    sign_in(page, moderator)
    for path in (
        "/library/due/",
        "/library/new/",
        f"/library/r/{resource.pk}/history/",
        f"/library/r/{resource.pk}/v/1/",
        resource.get_absolute_url(),
        "/library/?sort=useful&type=guidance",
    ):
        page.goto(path)
        assert_accessible(page)

    page.goto("/library/new/")
    page.get_by_label("Title").fill("Short")
    page.get_by_label("Summary").fill("A summary long enough to pass.")
    page.get_by_label("Body").fill("Body text that the page must keep.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Body")).to_have_value("Body text that the page must keep.")
    assert_accessible(page)
