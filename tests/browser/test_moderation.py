"""A moderator clears the review queue by keyboard alone; moderation pages pass axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import make_member, sign_in
from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser


def _queue_with_three_items():
    from community.forum import actions as forum_actions
    from community.moderation import actions
    from tests.factories import make_thread, make_user

    spam = make_thread(title="Cheap trainers here").posts.get(number=1)
    actions.flag_post(flagger=make_user(), post=spam, reason="spam")
    worry = make_thread(title="A worrying thread").posts.get(number=1)
    actions.flag_post(flagger=make_user(), post=worry, reason="safeguarding", note="Possible risk")
    parent = make_user(role="parent_carer", display_name="Parent P")
    held = forum_actions.create_post(
        author=parent, thread=make_thread(title="Opening hours"), source="Call me on 07700 900123"
    )
    return spam, worry, held


def _tab_to(page, label: str, limit: int = 300) -> None:
    """Press Tab until the focused element's accessible text starts with the label."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate(
            "() => (document.activeElement && document.activeElement.innerText || '').trim()"
        )
        if text.startswith(label):
            return
    raise AssertionError(f"could not reach {label!r} by keyboard")


def test_moderator_clears_the_queue_by_keyboard_alone(page):
    from community.forum.models import Post
    from community.moderation.models import ReviewItem

    spam, worry, held = _queue_with_three_items()
    moderator = make_member(
        role="staff", username="mo", display_name="Mo Staff", is_safeguarding_lead=True
    )
    sign_in(page, moderator)
    page.goto("/mod/queue/")
    items = page.locator(".review-item")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("Safeguarding")  # safeguarding first

    # The safeguarding item: keep the post hidden.
    _tab_to(page, "Hide")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Done: hide")
    expect(page.locator(".review-item")).to_have_count(2)

    # Then the held post with personal details: the match is highlighted; reject it.
    expect(page.locator("mark").first).to_have_text("07700 900123")
    page.keyboard.press("Tab")  # focus starts again at the top of the page
    _tab_to(page, "Reject")
    page.keyboard.press("Enter")
    expect(page.locator(".review-item")).to_have_count(1)

    # Finally the spam flag: dismiss it.
    _tab_to(page, "Dismiss flags")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The queue is empty")).to_be_visible()

    assert not ReviewItem.objects.filter(state="pending").exists()
    assert Post.objects.get(pk=worry.pk).status == "hidden"
    assert Post.objects.get(pk=held.pk).deleted_at is not None
    assert Post.objects.get(pk=spam.pk).status == "published"


@pytest.mark.parametrize(
    "path",
    [
        "/mod/queue/",
        "/mod/safeguarding/",
        "concern",
        "/mod/log/",
        "/mod/watched-words/",
        "member",
        "flag",
    ],
)
def test_moderation_pages_have_no_serious_accessibility_violations(page, path):
    from community.moderation.models import SafeguardingConcern

    spam, worry, held = _queue_with_three_items()
    staff = make_member(role="staff", username="axe-staff", is_safeguarding_lead=True)
    sign_in(page, staff)
    if path == "concern":
        path = f"/mod/safeguarding/{SafeguardingConcern.objects.get().pk}/"
    elif path == "member":
        path = f"/mod/members/{spam.author.username}/"
    elif path == "flag":
        path = f"/p/{spam.pk}/flag/"
    page.goto(path)
    violations = blocking_violations(page)
    assert not violations, f"{path}:\n{describe(violations)}"
