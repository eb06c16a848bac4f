from community.markup import LINK_REL, quote_source, render


def test_render_sanitises_scripts_and_javascript_links():
    rendered = render(
        "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    assert "<script" not in rendered.html
    assert 'href="javascript' not in rendered.html
    assert "<img" not in rendered.html  # raw HTML is not Markdown here: shown as text


def test_links_get_nofollow_ugc_noopener():
    rendered = render("See [the guide](https://example.org/guide) and https://example.com")
    assert rendered.html.count(f'rel="{LINK_REL}"') == 2


def test_mentions_link_only_known_members_and_skip_code():
    rendered = render(
        "Thanks @Priya and @nobody, not `@tom`", known_usernames=lambda names: {"priya"}
    )
    assert '<a href="/u/Priya/" class="mention"' in rendered.html
    assert "@nobody" in rendered.html and 'href="/u/nobody/"' not in rendered.html
    assert rendered.mentions == frozenset({"priya"})
    assert "<code>@tom</code>" in rendered.html


def test_quote_blocks_render_with_attribution_and_do_not_mention_again():
    source = '[quote="priya, post:3, topic:9"]\nHello **there** @tom\n[/quote]\n\nAgreed.'
    rendered = render(source, known_usernames=lambda names: set(names))
    assert (
        '<aside class="quote" data-username="priya" data-post="3" data-thread="9">' in rendered.html
    )
    assert "<strong>there</strong>" in rendered.html
    assert rendered.mentions == frozenset()
    assert rendered.quotes == (("priya", 3, 9),)


def test_quote_source_drops_nested_quotes():
    inner = '[quote="a, post:1, topic:2"]\nold\n[/quote]\nnew words'
    quoted = quote_source(username="sam", post_number=4, thread_id=2, source=inner)
    assert quoted.startswith('[quote="sam, post:4, topic:2"]\nnew words\n[/quote]')


def test_text_is_plain_and_unescaped():
    assert render("Fish & chips **now**").text == "Fish & chips now"
