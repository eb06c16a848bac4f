"""Real Chromium against pytest-django's live server.

One browser per session, one context (cookies, storage) per test. Run this directory
in its own pytest process with DJANGO_ALLOW_ASYNC_UNSAFE=true (see the Makefile):
Playwright's sync API runs an event loop, which Django's async-safety check rejects.
"""

from __future__ import annotations

import os
import re
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import pytest

from tests.conftest import REQUIRE_SERVICES

CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a browser Playwright downloads
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PASSWORD = "pw-Example-1234"  # what tests/factories.make_user gives every member


def _skip_unless_required(reason: str) -> None:
    """Skip on a plain run; fail when CI says every service must be there (REQUIRE_SERVICES)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES is set)")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _own_process_with_async_unsafe_allowed():
    """Playwright's loop makes every ORM call here raise SynchronousOnlyOperation without it."""
    if os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE"):
        return
    reason = (
        "browser tests need their own pytest run with DJANGO_ALLOW_ASYNC_UNSAFE=true: "
        "DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest tests/browser (make test does this)"
    )
    _skip_unless_required(reason)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, launched once; never a downloaded browser."""
    if not os.access(CHROMIUM, os.X_OK):
        _skip_unless_required(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class SharedDaphne:
    """A real daphne on a fixed port that a test may stop and start again (tests/servers.py)."""

    def __init__(self) -> None:
        from tests.servers import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._running: ExitStack | None = None

    def start(self) -> None:
        from tests.servers import daphne

        with ExitStack() as stack:
            stack.enter_context(daphne(port=self.port))
            self._running = stack.pop_all()

    def stop(self) -> None:
        if self._running is not None:
            running, self._running = self._running, None
            running.close()

    @contextmanager
    def stopped(self):
        """Stop the server for the block; start it again at the same address after it."""
        self.stop()
        try:
            yield
        finally:
            self.start()


@pytest.fixture(scope="session")
def daphne_server(django_db_setup):
    """One real daphne (HTTP and the live sockets) on the test database for the whole run, as
    production runs several processes for many members; a cold start costs seconds. Its
    in-process caches are keyed on what they show (community/fragments.py), so one test's
    pages are never another's; each test's end empties the database and the shared cache under
    it all the same."""
    server = SharedDaphne()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The live server runs in this process, so it hashes with the same (fast) hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def network_structure(transactional_db):
    """Regions, local authorities, topics and the 16 spaces, as the data migrations make them.

    A test's end empties the tables it wrote to, and these too if it changed them, so put
    them back whenever they are missing.
    """
    from community.accounts.models import LocalAuthority, Region
    from community.accounts.places import load_places
    from community.forum.models import Space, Topic
    from community.forum.structure import load_structure
    from tests import dbreset

    loaded = False
    if not LocalAuthority.objects.exists():
        load_places(Region, LocalAuthority)
        loaded = True
    if not Space.objects.exists() or not Topic.objects.exists():
        load_structure(Region, Topic, Space)
        loaded = True
    if loaded or not dbreset.has_baseline():
        dbreset.remember_baseline()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="en-GB", timezone_id="Europe/London"
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def make_member(**fields):
    """A member whose email is verified, so they can sign in through the form."""
    from allauth.account.models import EmailAddress

    from tests.factories import make_user

    user = make_user(**fields)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def sign_in(page, user) -> None:
    """Sign in through the real form, as a member would."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    # Signed in, whatever the width: on a phone "Sign out" is inside the closed header menu.
    page.locator("body[data-signed-in]").wait_for(state="attached")


def fill_sign_up(page, *, email: str, username: str, age: str = "26 or over") -> None:
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Username").fill(username)
    page.get_by_label(re.compile(r"^Password:?$")).fill("a-Long-walk-to-the-hub-42")
    page.get_by_label(re.compile(r"^Password \(again\)")).fill("a-Long-walk-to-the-hub-42")
    page.get_by_label("Display name").fill("Dani Hughes")
    page.get_by_label("I am a").select_option(label="Parent or carer")
    page.get_by_label("Age").select_option(label=age)
    page.get_by_label("Home region").select_option(label="London")
    page.get_by_label("Local authority").select_option(label="Camden")
    page.get_by_label("Organisation").fill("Camden parents' forum")


@pytest.fixture
def member():
    return make_member(username="asha", display_name="Asha Patel")


@pytest.fixture
def signed_in(page, member):
    sign_in(page, member)
    return page


@dataclass
class Discussion:
    """A thread with replies, a quote and an edit: every part of a thread page."""

    author: object
    replier: object
    thread: object
    first_post: object
    edited_post: object


@pytest.fixture
def discussion() -> Discussion:
    from community.forum import actions
    from community.markup import quote_source
    from tests.factories import make_thread

    author = make_member(username="bea", display_name="Bea Okafor")
    replier = make_member(username="callum", display_name="Callum Reid")
    thread = make_thread(
        author=author,
        title="Running a stay-and-play session in a rural hub",
        source="We run **stay-and-play** on Tuesdays. How do you reach families without a car?",
        tags=["rural", "outreach"],
    )
    first_post = thread.posts.get(number=1)
    reply = actions.create_post(
        author=replier,
        thread=thread,
        source="A community minibus helped us. Ask your parish council about grants.",
        reply_to=first_post,
    )
    actions.create_post(
        author=author,
        thread=thread,
        source=quote_source(
            username=replier.username,
            post_number=reply.number,
            thread_id=thread.pk,
            source=reply.source,
        )
        + "Thank you, @callum: we will try that.",
    )
    actions.edit_post(
        editor=replier,
        post=reply,
        source=reply.source + "\n\nWe also share lifts through the hub's WhatsApp group.",
        reason="Added lift sharing",
    )
    thread.refresh_from_db()
    return Discussion(author, replier, thread, first_post, reply)
