"""Staff add families' words to a library resource's "What families said" in Chromium; the
page passes axe at phone and desktop widths (the one feedback page no other browser test
opened)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import make_member, sign_in
from tests.browser.test_polls import _axe_at_phone_and_desktop

pytestmark = pytest.mark.browser


def test_staff_add_feedback_to_what_families_said(page):
    from community.feedback.actions import submit_feedback
    from community.library import actions as library_actions
    from tests.factories import make_user
    from tests.library.conftest import publish, resource_fields

    staff = make_member(role="staff", username="stella")
    resource = publish(
        library_actions.create_resource(actor=staff, **resource_fields()),
        owner=staff, reviewer=make_user(role="expert"),
    )  # fmt: skip
    said = submit_feedback(
        author=None, who="parent_carer", need="Somewhere to sit with a buggy",
        credit_consent=True, credit_name="Sam", client_key="198.51.100.7",
    )  # fmt: skip
    page.set_default_navigation_timeout(60_000)
    sign_in(page, staff)
    _axe_at_phone_and_desktop(page, f"/feedback/library/?responses={said.pk}")
    page.set_viewport_size({"width": 320, "height": 720})
    page.goto(f"/feedback/library/?responses={said.pk}")
    page.get_by_label("Library resource").select_option(label=resource.title)
    page.get_by_role("button", name="Add to the resource").click()
    expect(page.get_by_text("Somewhere to sit with a buggy")).to_be_visible()
    assert resource.family_feedback.filter(pk=said.pk).exists()
