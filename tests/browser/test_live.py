"""A reply appears live on another member's open page and in their bell, through real daphne."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import make_member
from tests.servers import session_cookie

pytestmark = pytest.mark.browser


@pytest.fixture
def server(daphne_server):
    return daphne_server.url


def _tab(browser, base_url: str, user):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "sessionid", "value": session_cookie(user), "url": base_url}])
    return context, context.new_page()


def test_reply_appears_live_on_the_authors_open_thread_and_bell(browser, server):
    from tests.factories import make_thread

    author = make_member(username="asha", display_name="Asha Patel")
    replier = make_member(username="ben", display_name="Ben Ward")
    thread = make_thread(
        author=author, title="Live thread for the browser", source="What works for dads?"
    )

    author_context, author_page = _tab(browser, server, author)
    replier_context, replier_page = _tab(browser, server, replier)
    try:
        author_page.goto(thread.get_absolute_url())
        expect(author_page.locator("body")).to_have_attribute("data-live", "connected")
        expect(author_page.locator("[data-bell-count]")).to_have_text("0")

        replier_page.goto(f"/t/{thread.pk}/reply/?to={thread.posts.get(number=1).pk}")
        replier_page.get_by_label("Your reply").fill("Evening sessions worked for us.")
        replier_page.get_by_role("button", name="Post reply").click()
        expect(replier_page.locator("#post-2")).to_contain_text("Evening sessions worked for us.")

        # No reload on the author's page: the post and the bell arrive over the socket.
        expect(author_page.locator("#post-2")).to_contain_text("Evening sessions worked for us.")
        expect(author_page.locator("[data-bell-count]")).to_have_text("1")
        expect(author_page.locator("[data-live-announcer]")).to_contain_text("Ben Ward")
        # The once-only shortcuts hint has its own region: it never replaces a live update.
        expect(author_page.locator("[data-shortcuts-hint]")).to_contain_text(
            "Keyboard shortcuts are on"
        )
        expect(author_page.locator("[data-live-announcer]")).to_contain_text("Ben Ward")
    finally:
        author_context.close()
        replier_context.close()


def test_reading_a_notification_clears_the_bell_on_another_tab(browser, server):
    from community.forum import actions
    from tests.factories import make_thread

    author = make_member(username="cara", display_name="Cara")
    thread = make_thread(author=author, title="Bell clearing across tabs")
    actions.create_post(
        author=make_member(username="dev"),
        thread=thread,
        source="A reply",
        reply_to=thread.posts.get(number=1),
    )
    context, first_tab = _tab(browser, server, author)
    try:
        second_tab = context.new_page()
        first_tab.goto("/topics/")
        expect(first_tab.locator("body")).to_have_attribute("data-live", "connected")
        expect(first_tab.locator("[data-bell-count]")).to_have_text("1")
        second_tab.goto("/notifications/")
        second_tab.get_by_role("link", name="replied to your post").click()
        expect(first_tab.locator("[data-bell-count]")).to_have_text("0")
    finally:
        context.close()


def test_live_updates_pause_when_the_socket_server_stops_and_resume_by_themselves(
    browser, daphne_server
):
    """The page says live updates are paused while its socket server is down (the run's
    daphne, stopped and started again on the same port), then catches up without a reload."""
    from community.forum import actions
    from tests.factories import make_thread

    from .test_accessibility import blocking_violations, describe

    author = make_member(username="esme", display_name="Esme")
    replier = make_member(username="finn", display_name="Finn Cole")
    thread = make_thread(author=author, title="Pausing and resuming", source="Who runs the group?")
    context, page = _tab(browser, daphne_server.url, author)
    try:
        # The page's timers run on a clock the test can move on (see below); until then it
        # keeps real time.
        page.clock.install()
        page.goto(thread.get_absolute_url())
        expect(page.locator("body")).to_have_attribute("data-live", "connected")
        expect(page.locator(".live-paused")).to_have_count(0)
        with daphne_server.stopped():
            # The server is gone: after the first quick retry fails, the page says so.
            expect(page.locator("body")).to_have_attribute("data-live", "disconnected")
            note = page.get_by_role("status").filter(has_text="Live updates are paused")
            expect(note).to_be_visible(timeout=30_000)
            for width in (320, 1280):
                page.set_viewport_size({"width": width, "height": 800})
                violations = blocking_violations(page)
                assert not violations, describe(violations)
                assert page.evaluate("document.documentElement.scrollWidth") <= width
            actions.create_post(
                author=replier,
                thread=thread,
                source="Written while the live server was down.",
                reply_to=thread.posts.get(number=1),
            )
        # Up again at the same address. The page reconnects by itself, the note goes, and what
        # was missed arrives: the post and the bell. The page's own retry timer does it; its
        # backoff has reached 8 to 32 s by now (depending on how long the server took to
        # start), so the test moves the page's clock past the longest wait rather than sitting
        # it out. Should that attempt fail, the next one comes on real time within the timeout.
        page.clock.fast_forward(33_000)
        expect(page.locator("body")).to_have_attribute("data-live", "connected", timeout=90_000)
        expect(page.locator(".live-paused")).to_have_count(0)
        expect(page.locator("#post-2")).to_contain_text("Written while the live server was down.")
        expect(page.locator("[data-bell-count]")).to_have_text("1")
    finally:
        context.close()
