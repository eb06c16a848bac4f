"""Centre staff make, scope and revoke an API key in the browser, at phone and desktop widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from api.models import ApiKey, hash_key

from .conftest import make_member, sign_in
from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser


def assert_fits(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"sideways scroll at {width}px: {scroll}px wide"


@pytest.mark.parametrize("width", [320, 1280])
def test_staff_make_scope_and_revoke_a_key(page, width):
    make_member(username="alice")
    staff = make_member(role="staff", username="centrestaff")
    page.set_viewport_size({"width": width, "height": 800})
    # The first page a live server renders can be slow on a loaded machine (seen: over 10 s).
    page.set_default_navigation_timeout(60_000)
    sign_in(page, staff)
    page.goto("/staff/api-keys/")
    expect(page.get_by_role("heading", name="API keys", exact=True)).to_be_visible()
    assert not blocking_violations(page), describe(blocking_violations(page))
    assert_fits(page, 320)
    page.set_viewport_size({"width": width, "height": 800})

    page.get_by_label("What is the key for?").fill("Newsletter script")
    page.get_by_label("Member it acts as (optional)").fill("alice")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Make key").click()

    secret = page.get_by_label("Key for “Newsletter script”").input_value()
    key = ApiKey.objects.get()
    assert key.key_hash == hash_key(secret)
    assert (key.user.username, key.scope) == ("alice", "write")
    assert not blocking_violations(page), describe(blocking_violations(page))
    assert_fits(page, 320)
    page.set_viewport_size({"width": width, "height": 800})

    page.goto("/staff/api-keys/")
    expect(page.get_by_label("Key for “Newsletter script”")).to_have_count(0)
    page.get_by_role("button", name="Revoke the key for Newsletter script").click()
    expect(page.get_by_role("heading", name="Newsletter script (revoked)")).to_be_visible()
    key.refresh_from_db()
    assert key.revoked_at is not None
