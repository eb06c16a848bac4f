"""Polls and accepted answers in real Chromium: every poll type with and without JavaScript,
counts arriving live on a second reader's page, a solved thread found by status:solved, and
axe on every new page at phone and desktop widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import make_member, sign_in
from tests.browser.test_accessibility import blocking_violations, describe
from tests.servers import session_cookie

pytestmark = pytest.mark.browser

SOURCE = """Help us plan next term's sessions.

[poll name=time results=always]
# Best time for stay-and-play
* Morning
* Afternoon
* Evening
[/poll]

[poll name=topics type=multiple min=1 max=2]
# Which topics?
* Sleep
* Feeding
* Play
[/poll]

[poll name=score type=number min=1 max=5]
# How useful were this term's sessions?
[/poll]

[poll name=venue type=ranked_choice]
# Rank the venues
* Library
* School hall
* Park
[/poll]
"""


@pytest.fixture
def server(daphne_server):
    return daphne_server.url


def _tab(browser, base_url: str, user, *, javascript: bool = True):
    context = browser.new_context(
        base_url=base_url, bypass_csp=True, locale="en-GB", java_script_enabled=javascript
    )
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "sessionid", "value": session_cookie(user), "url": base_url}])
    return context, context.new_page()


def _vote_everywhere(page, post_id: int) -> None:
    """Vote in each of the four polls as a member would."""
    time = page.locator(f"#poll-{post_id}-time")
    time.get_by_label("Afternoon").check()
    time.get_by_role("button", name="Vote in Best time for stay-and-play").click()
    expect(page.locator(f"#poll-{post_id}-time")).to_contain_text("Change my vote")

    topics = page.locator(f"#poll-{post_id}-topics")
    topics.get_by_label("Sleep").check()
    topics.get_by_label("Play").check()
    topics.get_by_role("button", name="Vote in Which topics?").click()
    expect(page.locator(f"#poll-{post_id}-topics")).to_contain_text("Change my vote")

    score = page.locator(f"#poll-{post_id}-score")
    score.get_by_label("4", exact=True).check()
    score.get_by_role("button", name="Vote in How useful").click()
    expect(page.locator(f"#poll-{post_id}-score")).to_contain_text("Change my vote")

    venue = page.locator(f"#poll-{post_id}-venue")
    venue.get_by_label("Park").select_option("1")
    venue.get_by_label("Library").select_option("2")
    venue.get_by_role("button", name="Vote in Rank the venues").click()
    expect(page.locator(f"#poll-{post_id}-venue")).to_contain_text("Change my vote")


def test_every_poll_type_with_and_without_javascript_live_for_a_second_reader(browser, server):
    from community.polls.models import Poll, PollVote
    from tests.factories import make_thread

    author = make_member(username="host", display_name="Hub Host")
    thread = make_thread(author=author, title="Planning next term together", source=SOURCE)
    post_id = thread.posts.get(number=1).pk
    voter = make_member(username="voter", display_name="Voter One")
    reader = make_member(username="reader", display_name="Reader Two")
    no_js = make_member(username="nojs", display_name="No Script")

    voter_context, voter_page = _tab(browser, server, voter)
    reader_context, reader_page = _tab(browser, server, reader)
    plain_context, plain_page = _tab(browser, server, no_js, javascript=False)
    try:
        reader_page.goto(thread.get_absolute_url())
        expect(reader_page.locator("body")).to_have_attribute("data-live", "connected")
        reader_count = reader_page.locator(
            f"#poll-{post_id}-time li", has_text="Afternoon"
        ).locator("[data-poll-count]")
        expect(reader_count).to_have_text("0")

        voter_page.goto(thread.get_absolute_url())
        expect(voter_page.locator("body")).to_have_attribute("data-live", "connected")
        _vote_everywhere(voter_page, post_id)
        # No reload on the reader's page: the count came over the thread's socket.
        expect(reader_count).to_have_text("1")

        plain_page.goto(thread.get_absolute_url())
        _vote_everywhere(plain_page, post_id)  # each vote is a form post and a new page
        expect(plain_page.locator(f"#poll-{post_id}-time")).to_contain_text("2 voters")
        expect(reader_count).to_have_text("2")
        winner = plain_page.locator(f"#poll-{post_id}-venue .poll-winner")
        expect(winner).to_contain_text("Park")
    finally:
        voter_context.close()
        reader_context.close()
        plain_context.close()
    assert PollVote.objects.filter(poll__name="venue", user=voter).count() == 2
    assert set(Poll.objects.filter(post_id=post_id).values_list("voter_count", flat=True)) == {2}


WIDER_THAN_VIEWPORT = """(selector) => Array.from(document.querySelectorAll(selector))
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map((e) => e.tagName + "." + e.className)"""


def _axe_at_phone_and_desktop(page, path: str, *, own: str | None = None) -> None:
    """axe at 320 px and 1280 px, and nothing wider than a phone's screen: the whole page,
    or only this change's own parts (`own`) on a page others are changing too."""
    for width, height in ((320, 720), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(path)
        violations = blocking_violations(page)
        assert not violations, f"{path} at {width}px:\n{describe(violations)}"
        parts = [part.strip() for part in (own or "body").split(",")]
        wide = page.evaluate(WIDER_THAN_VIEWPORT, ", ".join(f"{p}, {p} *" for p in parts))
        assert not wide, f"{path} scrolls sideways at {width}px: {wide[:5]}"


def test_solved_thread_shows_its_answer_is_found_by_status_solved_and_pages_pass_axe(page):
    from community.forum import actions
    from community.forum.models import Space
    from community.search import indexing
    from community.supportline.models import ExpertProfile
    from tests.factories import make_thread

    asker = make_member(username="asker", display_name="Ama Asker")
    expert = make_member(username="expert", display_name="Dr Esi Expert", role="expert")
    ExpertProfile.objects.create(user=expert)
    thread = make_thread(
        author=asker,
        space=Space.objects.get(slug="ask-an-expert"),
        title="How do we recruit parent champions?",
        source="Our hub wants parent champions. How did others recruit them?\n\n" + SOURCE,
    )
    actions.create_post(author=expert, thread=thread, source="Ask parents who already visit.")
    post_id = thread.posts.get(number=1).pk

    sign_in(page, asker)
    page.goto(thread.get_absolute_url())
    page.get_by_role("link", name="Choose the reply that answered this question").click()
    _axe_at_phone_and_desktop(page, f"/t/{thread.pk}/answer/")
    page.get_by_label("Dr Esi Expert").check()
    page.get_by_role("button", name="Mark as the answer").click()
    box = page.locator("#accepted-answer")
    expect(box).to_contain_text("Ask parents who already visit.")
    expect(box.get_by_role("link", name="Go to the answer")).to_be_visible()

    indexing.rebuild("post")
    page.goto("/search/?q=champions+status%3Asolved")
    expect(
        page.get_by_role("link", name="How do we recruit parent champions?").first
    ).to_be_visible()

    # The thread page's own header (notification level) is another change's to fix at 320 px.
    _axe_at_phone_and_desktop(
        page, thread.get_absolute_url() + "?page=1", own=".poll-widget, #accepted-answer"
    )
    _axe_at_phone_and_desktop(page, f"/polls/{post_id}/venue/")
    _axe_at_phone_and_desktop(page, "/new-thread/")
    _axe_at_phone_and_desktop(page, f"/u/{expert.username}/")
