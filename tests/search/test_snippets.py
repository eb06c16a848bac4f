"""Snippets on PostgreSQL are cut from the page's bodies in Python (backends.text_snippet),
from the stems the database turned the query's words into."""

from __future__ import annotations

from community.search.backends import SNIPPET_WORDS, text_snippet


def test_a_snippet_marks_each_inflection_of_the_stems():
    snippet = text_snippet(
        "Families supported by the family hub support team.", "'famili' & 'support'"
    )
    assert snippet == (
        "<mark>Families</mark> <mark>supported</mark> by the <mark>family</mark> hub"
        " <mark>support</mark> team."
    )


def test_a_snippet_leaves_excluded_words_and_longer_words_unmarked():
    snippet = text_snippet("Time for people: a timetable in time.", "'time' & !'peopl'")
    assert snippet == "<mark>Time</mark> for people: a timetable in <mark>time</mark>."
    grouped = text_snippet(
        "We need support, health visitors.", "'support' & !( 'health' <-> 'visitor' )"
    )
    assert grouped == "We need <mark>support</mark>, health visitors."


def test_a_snippet_starts_just_before_the_first_match_and_says_what_is_cut():
    words = [f"w{i}" for i in range(100)]
    words[50] = "(support)"
    snippet = text_snippet(" ".join(words), "'support'")
    shown = snippet.removeprefix("… ").removesuffix(" …").split()
    assert snippet.startswith("… w44 ") and snippet.endswith(" …")
    assert len(shown) == SNIPPET_WORDS and "(<mark>support</mark>)" in shown


def test_a_snippet_escapes_the_text_and_shows_the_start_without_a_match():
    assert text_snippet("<b>Plans</b> & support", "'support'") == (
        "&lt;b&gt;Plans&lt;/b&gt; &amp; <mark>support</mark>"
    )
    assert text_snippet("Only the title matched.", "'xylophon'") == "Only the title matched."
