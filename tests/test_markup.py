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


def test_quote_blocks_store_the_quoted_post_not_its_author_and_do_not_mention_again():
    source = '[quote="priya, post:3, topic:9"]\nHello **there** @tom\n[/quote]\n\nAgreed.'
    rendered = render(source, known_usernames=lambda names: set(names))
    assert '<aside class="quote" data-post="3" data-thread="9">' in rendered.html
    # Who wrote it is the reading page's to say (forum.selectors.attribute_quotes): the
    # stored HTML, shown as it is by the API, e-mails and the moderation queue, names no one.
    assert "priya" not in rendered.html and "priya" not in rendered.text
    assert 'Quoted from <a href="/t/quoted/9/3#post-3"' in rendered.html
    assert "<strong>there</strong>" in rendered.html
    assert rendered.mentions == frozenset()
    assert rendered.quotes == (("priya", 3, 9),)


def test_quote_source_drops_nested_quotes():
    inner = '[quote="a, post:1, topic:2"]\nold\n[/quote]\nnew words'
    quoted = quote_source(username="sam", post_number=4, thread_id=2, source=inner)
    assert quoted.startswith('[quote="sam, post:4, topic:2"]\nnew words\n[/quote]')


def test_text_is_plain_and_unescaped():
    assert render("Fish & chips **now**").text == "Fish & chips now"


def test_a_quote_naming_no_post_keeps_the_name_its_writer_typed():
    rendered = render('[quote="Grandma"]\nKeep going\n[/quote]')
    assert '<div class="quote-title">Grandma said:</div>' in rendered.html


def test_attribute_quotes_rewrites_only_quotes_of_posts():
    from community.markup import attribute_quotes, quote_refs

    html = render(
        '[quote="a, post:2, topic:5"]\none\n[/quote]\n\n[quote="b, post:7"]\ntwo\n[/quote]'
        '\n\n[quote="c"]\nthree\n[/quote]\n\n`<aside class="quote" data-post="9">`'
    ).html
    assert quote_refs(html) == [(5, 2), (None, 7)]
    out = attribute_quotes(html, lambda thread, post: f"T{thread}P{post}")
    assert '<div class="quote-title">T5P2</div>' in out
    assert '<div class="quote-title">TNoneP7</div>' in out
    assert "c said:" in out and "P9" not in out  # typed HTML is escaped, never a quote


def test_quote_source_keeps_the_attribute_whole_whatever_the_name():
    quoted = quote_source(username='Calm "Heron", 42]', post_number=2, thread_id=3, source="x")
    assert quoted.startswith('[quote="Calm Heron 42, post:2, topic:3"]')
    assert render(quoted + "reply").quotes == (("Calm Heron 42", 2, 3),)


def test_attribute_quotes_drops_the_username_older_posts_stored():
    from community.markup import attribute_quotes

    old = (
        '<aside class="quote" data-username="jo.smith2011" data-post="2" data-thread="5">'
        '<div class="quote-title">jo.smith2011 said:</div><blockquote><p>hi</p></blockquote></aside>'
    )
    out = attribute_quotes(old, lambda thread, post: "Quoted from post 2:")
    assert "jo.smith2011" not in out
    assert out.startswith('<aside class="quote" data-post="2" data-thread="5">')
