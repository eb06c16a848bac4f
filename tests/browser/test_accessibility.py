"""axe-core on every kind of page: no serious or critical violations.

The site promises WCAG 2.2 AA (static/css/site.css), so axe's WCAG 2.2 target-size rule,
off by default, is switched on alongside axe's default rule set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import Discussion, fill_sign_up, sign_in

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
BLOCKING_IMPACTS = {"serious", "critical"}


# axe-core itself (570 kB), sent to a document only when it is not there yet: the same page is
# often checked at two widths, and re-sending the script cost more than the check.
AXE_SCRIPT = Axe().axe_script
RUN_AXE = """async (options) => {
  if (typeof window.axe === "undefined") { return null; }
  return (await window.axe.run(document, options)).violations;
}"""


def blocking_violations(page) -> list[dict]:
    """axe's serious and critical violations on the page, once it has loaded.

    A click that navigates returns once the new page has started arriving: without the wait,
    axe could check half a page on a slow machine."""
    page.wait_for_load_state("load")
    violations = page.evaluate(RUN_AXE, AXE_OPTIONS)
    if violations is None:
        page.evaluate(AXE_SCRIPT)
        violations = page.evaluate(RUN_AXE, AXE_OPTIONS)
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {', '.join(str(t) for t in node['target'])}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"        {summary}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Visit:
    signed_in: bool
    go: Callable[[object, Discussion], None]


def _get(path_of: Callable[[Discussion], str]) -> Callable[[object, Discussion], None]:
    return lambda page, d: page.goto(path_of(d))


def _failed_reply(page, d: Discussion) -> None:
    page.goto(f"/t/{d.thread.pk}/reply/")
    page.get_by_label("Your reply").fill("k")
    page.get_by_role("button", name="Post reply").click()
    page.locator(".error-summary").wait_for()


def _refused_sign_up(page, d: Discussion) -> None:
    fill_sign_up(page, email="kid@example.org", username="kid", age="Under 13")
    page.get_by_role("button", name="Sign Up").click()
    page.locator(".errorlist").first.wait_for()


def _email_confirmation(page, d: Discussion) -> None:
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    from tests.factories import make_user

    newcomer = make_user(username="erin", display_name="Erin")
    address = EmailAddress.objects.create(
        user=newcomer, email=newcomer.email, primary=True, verified=False
    )
    page.goto(f"/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/")


PAGES = {
    "latest list": Visit(True, _get(lambda d: "/")),
    "latest list, signed out": Visit(False, _get(lambda d: "/")),
    "space list": Visit(True, _get(lambda d: "/s/national/")),
    "topics": Visit(False, _get(lambda d: "/topics/")),
    "topic list": Visit(True, _get(lambda d: d.thread.topic.get_absolute_url())),
    "spaces index": Visit(True, _get(lambda d: "/spaces/")),
    "thread page with replies": Visit(True, _get(lambda d: d.thread.get_absolute_url())),
    "thread page, signed out": Visit(False, _get(lambda d: d.thread.get_absolute_url())),
    "reply form quoting a post": Visit(
        True, _get(lambda d: f"/t/{d.thread.pk}/reply/?quote={d.first_post.pk}")
    ),
    "reply form with an error": Visit(True, _failed_reply),
    "start-thread form": Visit(True, _get(lambda d: "/new-thread/")),
    "sign-in": Visit(False, _get(lambda d: "/accounts/login/")),
    "sign-up": Visit(False, _get(lambda d: "/accounts/signup/")),
    "sign-up refused": Visit(False, _refused_sign_up),
    "email verification sent": Visit(False, _get(lambda d: "/accounts/confirm-email/")),
    "email confirmation": Visit(False, _email_confirmation),
    "user profile": Visit(True, _get(lambda d: d.author.get_absolute_url())),
    "revisions page": Visit(True, _get(lambda d: f"/p/{d.edited_post.pk}/revisions/")),
    "preferences": Visit(True, _get(lambda d: "/preferences/")),
    "notifications": Visit(True, _get(lambda d: "/notifications/")),
    "notification preferences": Visit(True, _get(lambda d: "/notifications/preferences/")),
    "bookmarks": Visit(True, _get(lambda d: "/bookmarks/")),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violations(page, member, discussion, name):
    visit = PAGES[name]
    if visit.signed_in:
        sign_in(page, member)
    visit.go(page, discussion)

    violations = blocking_violations(page)

    assert not violations, f"{name} at {page.url}:\n{describe(violations)}"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_main_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    page.keyboard.press("Enter")

    expect(page.locator("main#main")).to_be_focused()
