"""The thread page and composer in real Chromium: preview with and without JavaScript, drafts
that survive a reload, avatars, keyboard shortcuts, live reactions that keep focus, and axe at
phone and desktop widths."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import make_member, sign_in
from tests.browser.test_accessibility import blocking_violations, describe
from tests.servers import session_cookie

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 300), "#336699").save(out, format="PNG")
    return out.getvalue()


def test_preview_in_place_shows_what_will_be_posted(browser, live_server, discussion):
    # The site's own Content-Security-Policy applies here (no bypass): the scripts and the
    # icons must work under it.
    context = browser.new_context(base_url=live_server.url, bypass_csp=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        sign_in(page, make_member(username="previewer", display_name="Pri Viewer"))
        page.goto(discussion.thread.get_absolute_url())
        box = page.get_by_label("Your reply")
        box.fill("Try **evening** sessions")
        page.get_by_role("button", name="Preview").click()
        preview = page.locator("[data-preview-body]")
        expect(preview.locator("strong")).to_have_text("evening")
        expect(page.get_by_role("heading", name="Preview")).to_be_focused()
        assert page.url.endswith(discussion.thread.get_absolute_url())
        expect(box).to_have_value("Try **evening** sessions")
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()


def test_preview_in_place_says_what_posting_would_refuse(signed_in, discussion):
    page = signed_in
    page.goto(discussion.thread.get_absolute_url())
    page.get_by_label("Your reply").fill("x")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("[data-preview-errors]")).to_contain_text("Write a little more")


def test_preview_without_javascript_comes_back_with_the_text_kept(browser, live_server, discussion):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, make_member(username="nojs", display_name="No Script"))
        page.goto(discussion.thread.get_absolute_url())
        page.get_by_label("Your reply").fill("Plain _form_ preview")
        page.get_by_role("button", name="Preview").click()
        expect(page.locator("[data-preview-body] em")).to_have_text("form")
        expect(page.get_by_label("Your reply")).to_have_value("Plain _form_ preview")
        page.get_by_role("button", name="Post reply").click()
        expect(page.locator(".post-body").last).to_contain_text("Plain form preview")
    finally:
        context.close()


def test_a_draft_survives_a_reload_and_reaches_another_browser(browser, live_server, discussion):
    member = make_member(username="drafter", display_name="Dee Drafter")
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    other = browser.new_context(base_url=live_server.url)
    other.set_default_timeout(10_000)
    try:
        sign_in(page, member)
        page.goto(discussion.thread.get_absolute_url())
        page.get_by_label("Your reply").fill("Words I must not lose")
        # Kept in this browser once the typing pauses (composer.js's local save), not before.
        page.wait_for_function(
            """(text) => Object.keys(localStorage).some((key) =>
                key.startsWith("fhn:draft:") && localStorage.getItem(key).includes(text))""",
            arg="Words I must not lose",
        )
        page.reload()
        expect(page.get_by_label("Your reply")).to_have_value("Words I must not lose")
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator(".draft-status").first).to_have_text("Draft saved.")
        second = other.new_page()
        sign_in(second, member)
        second.goto(discussion.thread.get_absolute_url())
        expect(second.get_by_label("Your reply")).to_have_value("Words I must not lose")
        expect(second.get_by_text("Your unsent reply was kept.")).to_be_visible()
    finally:
        context.close()
        other.close()


def test_toolbar_and_mention_suggestions(signed_in, discussion):
    page = signed_in
    page.goto(discussion.thread.get_absolute_url())
    box = page.get_by_label("Your reply")
    box.fill("")
    page.get_by_role("button", name="Bold").click()
    expect(box).to_have_value("**bold text**")
    box.fill("")
    box.press_sequentially("Thanks @cal")
    option = page.get_by_role("option", name=re.compile("Callum Reid"))
    expect(option).to_be_visible()
    box.press("Enter")
    expect(box).to_have_value("Thanks @callum ")


def test_an_adult_uploads_a_photo_and_it_shows_beside_their_posts(signed_in, member, discussion):
    from community.forum import actions

    page = signed_in
    page.goto("/picture/")
    page.get_by_label("Choose a photo").set_input_files(
        {"name": "me.png", "mimeType": "image/png", "buffer": _png()}
    )
    page.get_by_role("button", name="Save photo").click()
    expect(page.get_by_text("Your photo was saved.")).to_be_visible()
    actions.create_post(author=member, thread=discussion.thread, source="With my photo")
    page.goto(discussion.thread.get_absolute_url() + "?page=1")
    avatar = page.locator("li.post").last.locator("img.avatar")
    expect(avatar).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", avatar.element_handle()) == 240


def test_a_photo_that_is_not_an_image_is_refused_clearly(signed_in):
    page = signed_in
    page.goto("/picture/")
    page.get_by_label("Choose a photo").set_input_files(
        {"name": "notes.png", "mimeType": "image/png", "buffer": b"just some text"}
    )
    page.get_by_role("button", name="Save photo").click()
    expect(page.locator(".error-summary")).to_contain_text("not a picture we can use")
    assert page.title().startswith("Error:")


def test_a_young_person_keeps_initials(page, discussion):
    child = make_member(
        username="kit", display_name="Kit Young", role="young_person", age_band="13-15"
    )
    sign_in(page, child)
    page.goto("/picture/")
    expect(page.get_by_text("Members under 18 show their initials")).to_be_visible()
    expect(page.locator('input[type="file"]')).to_have_count(0)
    expect(page.locator(".avatar-now svg.avatar")).to_contain_text("KY")


def test_keyboard_shortcuts_move_reply_search_and_switch_off(signed_in, discussion):
    page = signed_in
    page.goto(discussion.thread.get_absolute_url() + "?page=1")
    page.locator("h1").click()
    page.keyboard.press("j")
    expect(page.locator("#post-1")).to_be_focused()
    page.keyboard.press("j")
    expect(page.locator("#post-2")).to_be_focused()
    page.keyboard.press("k")
    expect(page.locator("#post-1")).to_be_focused()
    page.keyboard.press("/")
    expect(page.locator("#header-search-q")).to_be_focused()
    page.keyboard.type("j")  # typing in a box is typing, not a shortcut
    expect(page.locator("#header-search-q")).to_have_value("j")
    page.locator("h1").click()
    page.keyboard.press("r")
    expect(page.get_by_label("Your reply")).to_be_focused()
    page.locator("h1").click()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Turn keyboard shortcuts off").check()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    page.locator("h1").click()
    page.keyboard.press("j")
    expect(page.locator("#post-1")).not_to_be_focused()
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(dialog.get_by_label("Turn keyboard shortcuts off")).to_be_checked()


@pytest.fixture
def server(daphne_server):
    return daphne_server.url


def test_someone_elses_reaction_updates_in_place_and_keeps_focus(browser, server):
    from tests.factories import make_thread

    reader = make_member(username="rhea", display_name="Rhea Reader")
    reactor = make_member(username="rory", display_name="Rory Reactor")
    thread = make_thread(title="Focus stays where it is", source="React to this post")
    contexts = []
    pages = []
    for user in (reader, reactor):
        context = browser.new_context(base_url=server, bypass_csp=True, locale="en-GB")
        context.set_default_timeout(10_000)
        context.add_cookies([{"name": "sessionid", "value": session_cookie(user), "url": server}])
        contexts.append(context)
        pages.append(context.new_page())
    reader_page, reactor_page = pages
    try:
        reader_page.goto(thread.get_absolute_url())
        expect(reader_page.locator("body")).to_have_attribute("data-live", "connected")
        thanks = reader_page.locator("#post-1 button[data-kind='thanks']")
        thanks.focus()
        reader_page.evaluate("document.getElementById('post-1').sameNode = true")
        reactor_page.goto(thread.get_absolute_url())
        reactor_page.locator("#post-1 button[data-kind='like']").click()
        like_count = reader_page.locator("#post-1 button[data-kind='like'] .count")
        expect(like_count).to_have_text("1")
        expect(thanks).to_be_focused()
        # Updated in place: the post on the page is still the element it was.
        assert reader_page.evaluate("document.getElementById('post-1').sameNode === true")
    finally:
        for context in contexts:
            context.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_thread_ui_pages_have_no_serious_accessibility_violations(signed_in, discussion, width):
    page = signed_in
    page.set_viewport_size({"width": width, "height": 900})
    for path in (
        discussion.thread.get_absolute_url() + "?page=1",
        f"/p/{discussion.first_post.pk}/reactions/",
        "/picture/",
        f"/t/{discussion.thread.pk}/reply/",
        "/",
        "/unread/",
    ):
        page.goto(path)
        if "/reply/" in path:
            page.get_by_label("Your reply").fill("A **preview** to check")
            page.get_by_role("button", name="Preview").click()
            expect(page.locator("[data-preview-body] strong")).to_be_visible()
        violations = blocking_violations(page)
        assert not violations, f"{path} at {width}px:\n{describe(violations)}"
        # This file's parts fit the width (the header is the layout's own test).
        right = page.evaluate(
            "Math.max(0, ...Array.from(document.querySelectorAll("
            "'ol.posts, .thread-position, form.composer, .composer-preview, .member-list, "
            ".thread-list, .empty-state'"
            ")).map((el) => el.getBoundingClientRect().right))"
        )
        assert right <= width, (path, width, right)
