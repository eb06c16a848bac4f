"""Starting threads, replying and quoting, as a member does it in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TITLE = "Sharing a waiting room with the health visitors"
OPENING = (
    "Our hub shares a waiting room with the **health visiting** team. What has worked for you?"
)
REPLY = "We put the family information point right by the door, so everyone passes it."
QUOTE_ANSWER = "Thank you, this is exactly the question our steering group asked."


def test_member_starts_a_thread_replies_and_quotes_a_post(signed_in):
    page = signed_in
    page.get_by_role("link", name="Start a thread").click()
    expect(page).to_have_url(re.compile(r"/new-thread/$"))
    page.get_by_label("Space").select_option(label="National")
    page.get_by_label("Practice topic").select_option(index=1)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Your post").fill(OPENING)
    page.get_by_label("Tags").fill("premises, health visiting")
    page.get_by_role("button", name="Post thread").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    first = page.locator("#post-1")
    expect(first.locator(".post-body strong")).to_have_text("health visiting")
    expect(page.get_by_role("link", name="#premises")).to_be_visible()

    page.get_by_label("Your reply").fill(REPLY)
    page.get_by_role("button", name="Post reply").click()

    expect(page).to_have_url(re.compile(r"/2#post-2$"))
    expect(page.locator("#post-2 .post-body")).to_have_text(REPLY)

    first_post_id = page.locator("#post-1").get_attribute("data-post-id")
    page.locator("#post-1").get_by_role("link", name="Quote post 1").click()

    expect(page).to_have_url(re.compile(rf"/reply/\?quote={first_post_id}$"))
    expect(page.get_by_text("Replying to Asha Patel’s post #1.")).to_be_visible()
    box = page.get_by_label("Your reply")
    expect(box).to_have_value(re.compile(r'^\[quote="asha, post:1, topic:\d+"\]\n'))
    expect(box).to_have_value(re.compile(re.escape(OPENING)))
    box.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type(QUOTE_ANSWER)
    page.get_by_role("button", name="Post reply").click()

    third = page.locator("#post-3")
    expect(page).to_have_url(re.compile(r"/3#post-3$"))
    quote = third.locator("aside.quote")
    expect(quote).to_have_attribute("data-post", "1")
    expect(quote.locator(".quote-title")).to_have_text("Asha Patel said in post 1:")
    expect(quote.get_by_role("link", name="post 1")).to_have_attribute(
        "href", re.compile(r"/t/[\w-]+/\d+/1#post-1$")
    )
    expect(quote.locator("blockquote strong")).to_have_text("health visiting")
    expect(third.locator(".post-body > p")).to_have_text(QUOTE_ANSWER)
    in_reply = third.locator("details.in-reply")
    expect(in_reply.locator("summary")).to_have_text("In reply to Asha Patel (#1)")
    in_reply.locator("summary").click()  # the post replied to, in context
    expect(in_reply.locator(".in-reply-body strong")).to_have_text("health visiting")


def test_reply_that_is_too_short_keeps_the_text_and_says_what_is_wrong(signed_in, discussion):
    page = signed_in
    page.goto(discussion.thread.get_absolute_url())
    page.get_by_label("Your reply").fill("k")
    page.get_by_role("button", name="Post reply").click()

    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_text("Write a little more before posting.", exact=True)).to_be_visible()
    expect(page.get_by_label("Your reply")).to_have_value("k")
    expect(page.get_by_label("Your reply")).to_have_attribute("aria-invalid", "true")


def test_reply_with_a_file_that_is_not_an_image_keeps_the_text(signed_in, discussion):
    page = signed_in
    text = "Here are the minutes from our parents' panel, with the actions we agreed."
    page.goto(discussion.thread.get_absolute_url())
    page.get_by_label("Your reply").fill(text)
    page.get_by_label("Attach images or PDFs").set_input_files(
        files=[{"name": "minutes.png", "mimeType": "image/png", "buffer": b"not a picture at all"}]
    )
    page.get_by_role("button", name="Post reply").click()

    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(
        page.get_by_text("minutes.png is not an image or a PDF.", exact=False).first
    ).to_be_visible()
    expect(page.get_by_label("Your reply")).to_have_value(text)
    assert discussion.thread.posts.count() == 3


def test_failed_reply_moves_focus_to_the_error_summary(signed_in, discussion):
    page = signed_in
    page.goto(f"/t/{discussion.thread.pk}/reply/")
    page.get_by_label("Your reply").fill("k")
    page.get_by_role("button", name="Post reply").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
