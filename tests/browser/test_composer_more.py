"""Quotes, the edit page's composer and pasted images, in real Chromium at phone and desktop
widths, with axe."""

from __future__ import annotations

import base64
import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import make_member, sign_in
from tests.browser.test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png(size=(1600, 900)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "#336699").save(out, format="PNG")
    return out.getvalue()


PASTE = """([data, name, type]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type }));
  const box = document.querySelector('form[data-composer] textarea[name="source"]');
  box.focus();
  box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
}"""


def _paste(page, data: bytes, name: str, mime: str = "image/png") -> None:
    page.evaluate(PASTE, [base64.b64encode(data).decode(), name, mime])


def _fits(page, selector: str, width: int) -> None:
    right = page.evaluate(
        f"Math.max(0, ...Array.from(document.querySelectorAll('{selector}'))"
        ".map((el) => el.getBoundingClientRect().right))"
    )
    assert right <= width, (selector, width, right)


def _no_axe_violations(page, where: str) -> None:
    violations = blocking_violations(page)
    assert not violations, f"{where}:\n{describe(violations)}"


def test_a_quote_names_its_author_and_links_to_the_quoted_post(signed_in, discussion):
    page = signed_in
    page.goto(discussion.thread.get_absolute_url() + "?page=1")
    quote = page.locator("#post-3 aside.quote")
    expect(quote.locator(".quote-title")).to_have_text("Callum Reid said in post 2:")
    quote.get_by_role("link", name="post 2").click()
    expect(page).to_have_url(re.compile(rf"/{discussion.thread.pk}/2#post-2$"))
    expect(page.locator("#post-2")).to_be_in_viewport()


@pytest.mark.parametrize("width", [320, 1280])
def test_the_edit_page_has_the_composer_and_previews_in_place(page, discussion, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, discussion.replier)
    page.goto(f"/p/{discussion.edited_post.pk}/edit/")
    box = page.get_by_label(re.compile(r"^Post:?$"))
    expect(page.get_by_role("group", name="Formatting")).to_be_visible()
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
    box.fill("")
    page.get_by_role("button", name="Bold").click()
    expect(box).to_have_value("**bold text**")
    box.fill("A minibus, and **lift sharing** too")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("[data-preview-body] strong")).to_have_text("lift sharing")
    expect(page.get_by_role("heading", name="Preview")).to_be_focused()
    assert page.url.endswith(f"/p/{discussion.edited_post.pk}/edit/")
    _no_axe_violations(page, f"edit page at {width}px")
    _fits(page, "form.composer, .composer-preview", width)
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#post-2 .post-body strong")).to_have_text("lift sharing")


def test_the_edit_page_previews_without_javascript(browser, live_server, discussion):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, discussion.replier)
        page.goto(f"/p/{discussion.edited_post.pk}/edit/")
        page.get_by_label(re.compile(r"^Post:?$")).fill("Plain _form_ edit preview")
        page.get_by_role("button", name="Preview").click()
        expect(page.locator("[data-preview-body] em")).to_have_text("form")
        expect(page.get_by_label(re.compile(r"^Post:?$"))).to_have_value(
            "Plain _form_ edit preview"
        )
        page.get_by_role("button", name="Save changes").click()
        expect(page.locator("#post-2 .post-body em")).to_have_text("form")
    finally:
        context.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_a_pasted_image_goes_in_at_the_cursor_and_posts_inline(signed_in, discussion, width):
    page = signed_in
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(discussion.thread.get_absolute_url())
    box = page.get_by_label("Your reply")
    box.fill("Our new timetable board:\n")
    box.press("Control+End")
    _paste(page, _png(), "timetable-board.png")
    expect(box).to_have_value(
        re.compile(r"^Our new timetable board:\n!\[timetable board\]\(upload://\d+\.png\)\n$")
    )
    expect(page.locator(".draft-status").first).to_contain_text("Describe the picture")
    box.press("Control+End")
    box.type("It sits by the door.")
    page.get_by_role("button", name="Preview").click()
    preview_image = page.locator("[data-preview-body] img")
    expect(preview_image).to_have_attribute("alt", "timetable board")
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=preview_image.element_handle()
    )
    page.get_by_role("button", name="Post reply").click()
    image = page.locator("li.post").last.locator(".post-body img")
    expect(image).to_have_attribute("alt", "timetable board")
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    box_right = image.evaluate("(img) => img.getBoundingClientRect().right")
    assert box_right <= width, (width, box_right)
    expect(page.locator("li.post").last.locator(".attachments")).to_have_count(0)
    _no_axe_violations(page, f"thread with an inline image at {width}px")
    _fits(page, "ol.posts, form.composer", width)


def test_a_refused_paste_says_why_and_leaves_the_text_as_it_was(signed_in, discussion):
    page = signed_in
    page.goto(discussion.thread.get_absolute_url())
    box = page.get_by_label("Your reply")
    box.fill("Before ")
    box.press("Control+End")
    _paste(page, b"just some words", "notes.png")
    alert = page.locator(".composer-error")
    expect(alert).to_contain_text("notes.png was not added")
    expect(alert).to_contain_text("is not an image or a PDF")
    expect(alert).to_have_attribute("role", "alert")
    expect(box).to_have_value("Before ")


def test_a_young_person_is_told_they_cannot_add_images(page, discussion):
    child = make_member(
        username="kit", display_name="Kit Young", role="young_person", age_band="13-15"
    )
    sign_in(page, child)
    page.goto(discussion.thread.get_absolute_url())
    _paste(page, _png((40, 30)), "selfie.png")
    expect(page.locator(".composer-error")).to_contain_text("Members under 18 cannot attach files")
    expect(page.get_by_label("Your reply")).to_have_value("")


SELECT = """(number) => {
  const body = document.querySelector(`#post-${number} .post-body p`);
  const range = document.createRange();
  range.selectNodeContents(body);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


def test_selected_words_are_quoted_into_the_reply_and_posted_with_a_link(signed_in, discussion):
    page = signed_in
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(discussion.thread.get_absolute_url() + "?page=1")
    page.evaluate(SELECT, 2)
    button = page.get_by_role("button", name="Quote the selected words")
    expect(button).to_be_visible()
    button.click()
    box = page.get_by_label("Your reply")
    expect(box).to_have_value(
        re.compile(
            rf'^\[quote="Callum Reid, post:2, topic:{discussion.thread.pk}"\]\n'
            r"A community minibus helped us\. Ask your parish council about grants\.\n\[/quote\]\n\n$"
        )
    )
    expect(box).to_be_focused()
    box.press("Control+End")
    box.type("We will ask ours.")
    page.get_by_role("button", name="Post reply").click()
    quote = page.locator("li.post").last.locator("aside.quote")
    expect(quote.locator(".quote-title")).to_have_text("Callum Reid said in post 2:")
    expect(quote.get_by_role("link", name="post 2")).to_have_attribute(
        "href", re.compile(rf"/{discussion.thread.pk}/2#post-2$")
    )
    _no_axe_violations(page, "thread after quoting a selection at 320px")
