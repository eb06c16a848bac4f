"""Every page type, as each role, on a phone: nothing scrolls sideways and no control is too
small to tap; axe at phone and desktop widths.

WCAG 2.2 reflow (1.4.10) at 320 CSS px and target size (2.5.8) at 24×24 px, checked at 320, 390
and 768 px wide. One browser context per role; each page is loaded once at 320 px and measured
again after each resize, so the whole walk stays quick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from .conftest import make_member
from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser

ANONYMOUS, PARENT, YOUNG, PRACTITIONER, MODERATOR, STAFF = (
    "anonymous",
    "parent",
    "young person",
    "practitioner",
    "moderator",
    "centre staff",
)
ROLES = (ANONYMOUS, PARENT, YOUNG, PRACTITIONER, MODERATOR, STAFF)
MEMBERS = frozenset(ROLES) - {ANONYMOUS}
EVERYONE = frozenset(ROLES)
ADULTS = MEMBERS - {YOUNG}
MODERATORS = frozenset({MODERATOR, STAFF})
WIDTHS = (320, 390, 768)

# What a page looks like to the checks: sideways overflow, and visible controls under 24×24 px.
# A link inside running text is exempt from target size (WCAG 2.5.8's inline exception); one
# drawn as a block or button is not. Visually hidden and off-screen controls (the skip link
# before it is focused) are not targets.
MEASURE = """() => {
  const viewport = window.innerWidth;
  const describe = (el) => {
    const id = el.id ? '#' + el.id : '';
    const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '')
      .trim().replace(/\\s+/g, ' ').slice(0, 40);
    return `<${el.tagName.toLowerCase()}${id}${cls}> "${text}"`;
  };
  const problems = [];
  const width = document.documentElement.scrollWidth;
  if (width > viewport) {
    const wide = [...document.body.querySelectorAll('*')].filter((el) => {
      const r = el.getBoundingClientRect();
      if (r.right <= viewport + 1 || r.width === 0) return false;
      const parent = el.parentElement.getBoundingClientRect();
      return parent.right <= viewport + 1;
    });
    problems.push(`page is ${width}px wide in a ${viewport}px viewport; too wide: ` +
      wide.slice(0, 4).map((el) => `${describe(el)} ${Math.round(el.getBoundingClientRect().width)}px`).join(', '));
  }
  const controls = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  for (const el of document.querySelectorAll(controls)) {
    if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || r.right <= 0 || r.bottom <= 0) continue;
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline') continue;
    if (r.width < 24 || r.height < 24) {
      problems.push(`${describe(el)} is ${Math.round(r.width)}×${Math.round(r.height)}px`);
    }
  }
  return problems;
}"""


@dataclass
class World:
    """One of everything a page can show, and a member of each role."""

    users: dict
    thread: object
    first_post: object
    reply: object
    own_posts: dict
    event: object
    resource: object
    case: object
    conversation: object
    extra: dict = field(default_factory=dict)


def build_world() -> World:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from community.conversations import actions as conversations
    from community.forum import actions as forum
    from community.library import actions as library
    from community.moderation import actions as moderation
    from community.supportline.permissions import SUPPORTLINE_GROUP
    from community.training import actions as training
    from tests.factories import any_topic, make_thread
    from tests.library.conftest import publish, resource_fields
    from tests.supportline.builders import make_case

    users = {
        PARENT: make_member(
            role="parent_carer",
            username="pat",
            display_name="Pat Parent",
            email="pat.parent.with.a.rather.long.address@families.example.org",
        ),
        YOUNG: make_member(
            role="young_person", username="yan", display_name="Quiet Otter 7", age_band="16-17"
        ),
        PRACTITIONER: make_member(username="priya", display_name="Priya Shah"),
        MODERATOR: make_member(role="moderator", username="morgan", display_name="Morgan Reid"),
        STAFF: make_member(
            role="staff", username="alex", display_name="Alex Staff", is_safeguarding_lead=True
        ),
    }
    group, _ = Group.objects.get_or_create(name=SUPPORTLINE_GROUP)
    users[STAFF].groups.add(group)

    thread = make_thread(
        author=users[PRACTITIONER],
        title="Running a stay-and-play session in a rural hub without a car park",
        source="We run **stay-and-play** on Tuesdays: https://example.org/a/very/long/address/"
        "that-goes-on-and-on-without-a-break-for-phones-to-wrap-it",
        tags=["rural", "outreach"],
    )
    first_post = thread.posts.get(number=1)
    reply = forum.create_post(
        author=users[PARENT], thread=thread, source="A minibus helped us.", reply_to=first_post
    )
    forum.edit_post(
        editor=users[PARENT], post=reply, source="A community minibus helped us.", reason="Typo"
    )
    own_posts = {PRACTITIONER: first_post, PARENT: reply}
    for role in (YOUNG, MODERATOR, STAFF):
        own_posts[role] = forum.create_post(
            author=users[role], thread=thread, source=f"Thoughts from a {role}."
        )
    forum.toggle_reaction(user=users[YOUNG], post=reply, kind="like")
    moderation.flag_post(flagger=users[YOUNG], post=first_post, reason="spam")
    moderation.set_slow_mode(actor=users[MODERATOR], thread=thread, seconds=60, reason="Busy")
    moderation.silence_user(
        moderator=users[MODERATOR],
        user=make_member(username="loud"),
        until=timezone.now() + timedelta(days=1),
        reason="Shouting",
    )

    start = timezone.now() + timedelta(days=5)
    event = training.create_event(
        actor=users[STAFF],
        details=training.EventDetails(
            title="Reaching families in rural areas",
            description="Practical outreach ideas from three local areas.",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=10,
            online_url="https://meet.example/rural",
            hosts="Priya Shah, hub lead",
            topics=(any_topic(),),
        ),
    )
    training.propose_topic(
        user=users[PARENT], title="Working with health visitors", description="Joint visits."
    )
    resource = publish(
        library.create_resource(actor=users[MODERATOR], **resource_fields()),
        owner=users[MODERATOR],
        reviewer=users[STAFF],
    )
    case = make_case(users[PRACTITIONER])
    conversation = conversations.start_conversation(
        sender=users[PRACTITIONER],
        recipients=[users[PARENT]],
        subject="Minibus grants",
        source="Which council fund paid for your minibus?",
    )
    return World(users, thread, first_post, reply, own_posts, event, resource, case, conversation)


@dataclass(frozen=True)
class PageType:
    path: Callable[[World, str], str]
    roles: frozenset


def _at(path: str) -> Callable[[World, str], str]:
    return lambda w, role: path


PAGE_TYPES: dict[str, PageType] = {
    # Lists and the forum
    "latest": PageType(_at("/"), EVERYONE),
    "new and unread": PageType(_at("/unread/"), MEMBERS),
    "spaces": PageType(_at("/spaces/"), EVERYONE),
    "space": PageType(_at("/s/national/"), EVERYONE),
    "region": PageType(_at("/r/london/"), MEMBERS),
    "topics": PageType(_at("/topics/"), EVERYONE),
    "topic": PageType(lambda w, r: w.thread.topic.get_absolute_url(), EVERYONE),
    "tag": PageType(_at("/tags/rural/"), EVERYONE),
    "thread": PageType(lambda w, r: w.thread.get_absolute_url(), EVERYONE),
    "reply form": PageType(lambda w, r: f"/t/{w.thread.pk}/reply/?quote={w.reply.pk}", MEMBERS),
    "start a thread": PageType(_at("/new-thread/"), MEMBERS),
    "edit own post": PageType(lambda w, r: f"/p/{w.own_posts[r].pk}/edit/", MEMBERS),
    "revisions": PageType(lambda w, r: f"/p/{w.reply.pk}/revisions/", MEMBERS),
    "flag a post": PageType(lambda w, r: f"/p/{w.reply.pk}/flag/", MEMBERS - {PARENT}),
    "report a post (visitor)": PageType(lambda w, r: f"/report/p/{w.reply.pk}/", {ANONYMOUS}),
    "member profile": PageType(lambda w, r: w.users[PRACTITIONER].get_absolute_url(), EVERYONE),
    "bookmarks": PageType(_at("/bookmarks/"), MEMBERS),
    "search": PageType(_at("/search/?q=minibus"), EVERYONE),
    # Accounts, preferences, notifications, privacy
    "sign in": PageType(_at("/accounts/login/"), {ANONYMOUS}),
    "sign up": PageType(_at("/accounts/signup/"), {ANONYMOUS}),
    "password reset": PageType(_at("/accounts/password/reset/"), {ANONYMOUS}),
    "preferences": PageType(_at("/preferences/"), MEMBERS),
    "notifications": PageType(_at("/notifications/"), MEMBERS),
    "notification preferences": PageType(_at("/notifications/preferences/"), MEMBERS),
    "devices": PageType(_at("/notifications/devices/"), MEMBERS),
    "members": PageType(_at("/members/"), MEMBERS),
    "your data": PageType(_at("/account/data/"), MEMBERS),
    "delete account": PageType(_at("/account/delete/"), MEMBERS),
    "privacy notice": PageType(_at("/privacy/"), EVERYONE),
    "privacy for young people": PageType(_at("/privacy/young-people/"), EVERYONE),
    "guidelines": PageType(_at("/guidelines/"), EVERYONE),
    "terms": PageType(_at("/terms/"), EVERYONE),
    "accessibility statement": PageType(_at("/accessibility/"), EVERYONE),
    "staying safe": PageType(_at("/staying-safe/"), EVERYONE),
    "tell us": PageType(_at("/tell-us/"), EVERYONE),
    "not found": PageType(_at("/no-such-page/"), EVERYONE),
    # Messages
    "inbox": PageType(_at("/messages/"), MEMBERS),
    "new message": PageType(_at("/messages/new/"), ADULTS),
    "conversation": PageType(lambda w, r: f"/messages/{w.conversation.pk}/", {PRACTITIONER}),
    # Events
    "events": PageType(_at("/events/"), EVERYONE),
    "past events": PageType(_at("/events/past/"), EVERYONE),
    "calendar": PageType(_at("/events/calendar/"), EVERYONE),
    "event": PageType(lambda w, r: w.event.get_absolute_url(), EVERYONE),
    "my events": PageType(_at("/events/mine/"), MEMBERS),
    "proposals": PageType(_at("/events/proposals/"), MEMBERS),
    "new event": PageType(_at("/events/new/"), {STAFF}),
    "registrations": PageType(lambda w, r: f"/events/{w.event.pk}/registrations/", {STAFF}),
    # Library
    "library": PageType(_at("/library/"), EVERYONE),
    "resource": PageType(lambda w, r: w.resource.get_absolute_url(), EVERYONE),
    "resource history": PageType(lambda w, r: f"/library/r/{w.resource.pk}/history/", MEMBERS),
    "my credits": PageType(_at("/library/credits/"), MEMBERS),
    "library work": PageType(_at("/library/work/"), MODERATORS),
    # SupportLine
    "supportline": PageType(_at("/supportline/"), EVERYONE),
    "supportline request": PageType(_at("/supportline/request/"), EVERYONE - {YOUNG}),
    "my requests": PageType(_at("/supportline/requests/"), ADULTS),
    "case": PageType(lambda w, r: f"/supportline/case/{w.case.reference}/", {PRACTITIONER, STAFF}),
    "supportline queue": PageType(_at("/supportline/queue/"), {STAFF}),
    "supportline report": PageType(_at("/supportline/report/"), {STAFF}),
    # Moderation and staff
    "review queue": PageType(_at("/mod/queue/"), MODERATORS),
    "moderation log": PageType(_at("/mod/log/"), {STAFF}),
    "safeguarding concerns": PageType(_at("/mod/safeguarding/"), {STAFF}),
    "watched words": PageType(_at("/mod/watched-words/"), MODERATORS),
    "member record": PageType(lambda w, r: "/mod/members/pat/", MODERATORS),
    "appeals": PageType(_at("/mod/appeals/"), MODERATORS),
    "family feedback": PageType(_at("/feedback/inbox/"), MODERATORS),
    "insight": PageType(_at("/insight/"), MODERATORS),
    "verification": PageType(_at("/staff/verification/"), {STAFF}),
    "api keys": PageType(_at("/staff/api-keys/"), {STAFF}),
    "webhooks": PageType(_at("/staff/webhooks/"), {STAFF}),
}
NOT_FOUND_ON_PURPOSE = {"not found"}


def _signed_in_context(browser, live_server, user, width: int):
    """A browser context carrying the member's session cookie (the sign-in form has its own
    tests; here it would only cost time)."""
    from django.conf import settings
    from django.test import Client

    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 800},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(15_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def _open(tab, world: World, role: str, name: str) -> list[str]:
    """Load the page; a refusal or a redirect to sign in is a failure of the list. (Other
    redirects are the page's own: a thread opens at the first unread post.)"""
    from urllib.parse import urlsplit

    path = PAGE_TYPES[name].path(world, role)
    response = tab.goto(path)
    expected = 404 if name in NOT_FOUND_ON_PURPOSE else 200
    status = response.status if response else "no response"
    landed = urlsplit(tab.url).path
    sent_to_sign_in = landed.startswith("/accounts/login/") and not path.startswith(landed)
    if status != expected or sent_to_sign_in:
        return [f"{name} as {role}: {status} at {tab.url}, expected {expected} at {path}"]
    return []


def test_every_page_fits_a_phone_and_every_control_can_be_tapped(browser, live_server):
    world = build_world()
    problems: list[str] = []
    for role in ROLES:
        context = _signed_in_context(browser, live_server, world.users.get(role), WIDTHS[0])
        tab = context.new_page()
        for name, page_type in PAGE_TYPES.items():
            if role not in page_type.roles:
                continue
            tab.set_viewport_size({"width": WIDTHS[0], "height": 800})
            failed = _open(tab, world, role, name)
            if failed:
                problems += failed
                continue
            for width in WIDTHS:
                tab.set_viewport_size({"width": width, "height": 800})
                problems += [f"{name} as {role} at {width}px: {p}" for p in tab.evaluate(MEASURE)]
        # The header menu open on a phone: it covers the page without widening it.
        tab.set_viewport_size({"width": WIDTHS[0], "height": 800})
        tab.goto("/")
        tab.get_by_text("Menu", exact=True).click()
        problems += [f"open menu as {role}: {p}" for p in tab.evaluate(MEASURE)]
        context.close()

    assert not problems, "\n".join(problems)


# axe for each page type once, as the first role that sees it, at phone and desktop widths.
AXE_WIDTHS = (320, 1280)


def test_every_page_type_passes_axe_on_a_phone_and_a_desktop(browser, live_server):
    world = build_world()
    failures: list[str] = []
    by_role: dict[str, list[str]] = {}
    for name, page_type in PAGE_TYPES.items():
        role = next(r for r in reversed(ROLES) if r in page_type.roles)
        by_role.setdefault(role, []).append(name)
    for role, names in by_role.items():
        context = _signed_in_context(browser, live_server, world.users.get(role), AXE_WIDTHS[0])
        tab = context.new_page()
        for name in names:
            for width in AXE_WIDTHS:
                tab.set_viewport_size({"width": width, "height": 800})
                if width == AXE_WIDTHS[0] and (failed := _open(tab, world, role, name)):
                    failures += failed
                    break
                violations = blocking_violations(tab)
                if violations:
                    failures.append(f"{name} as {role} at {width}px:\n{describe(violations)}")
        context.close()

    assert not failures, "\n".join(failures)


# Text zoom (WCAG 1.4.4): text at 200% on a 1280 px screen zoomed to 200% (640 CSS px) grows
# the controls with the text and still fits.
GROWING_CONTROLS = """() => [
  document.querySelector('#header-search-q').getBoundingClientRect().height,
  document.querySelector('input[type=file]').getBoundingClientRect().height,
]"""


def test_header_search_and_file_inputs_grow_with_the_text(browser, live_server):
    from tests.factories import make_thread

    member = make_member(username="zoe", display_name="Zoe")
    thread = make_thread(author=member)
    context = _signed_in_context(browser, live_server, member, 640)
    tab = context.new_page()
    tab.goto(f"/t/{thread.pk}/reply/")
    search, upload = tab.evaluate(GROWING_CONTROLS)

    tab.evaluate("document.documentElement.style.fontSize = '200%'")
    zoomed_search, zoomed_upload = tab.evaluate(GROWING_CONTROLS)
    problems = tab.evaluate(MEASURE)
    context.close()

    assert zoomed_search > search * 1.5 and zoomed_upload > upload * 1.5
    assert not [p for p in problems if "wide in a" in p], problems
