"""The national data set's generators: thread lengths and text (bench/seed_national.py)."""

import random
import sys
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import seed_national  # noqa: E402


def test_thread_lengths_add_up_to_the_posts_with_a_long_tail():
    lengths = seed_national.thread_lengths(random.Random(1), 5_000, 100_000)
    assert sum(lengths) == 100_000
    assert min(lengths) >= 1
    assert max(lengths) <= seed_national.MAX_THREAD_POSTS
    ordered = sorted(lengths)
    assert ordered[len(ordered) // 2] <= 12  # most threads are short
    assert ordered[-1] >= 20 * ordered[len(ordered) // 2]  # a few are very long


def test_post_text_follows_english_word_frequencies():
    writer = seed_national.Writer(random.Random(2))
    assert len(writer.words) > 8_000
    words = Counter(w.lower().strip(".?!") for _ in range(300) for w in writer.post()[2].split())
    common = [w for w, _ in words.most_common(3)]
    assert "the" in common
    assert len(words) > 1_500  # a real vocabulary, not a handful of words


def test_post_html_matches_its_plain_text():
    writer = seed_national.Writer(random.Random(3))
    for _ in range(50):
        source, html, text = writer.post()
        assert html.startswith(("<p>", "<ul>"))
        first_words = text.split()[:3]
        assert all(word in html for word in first_words)
        assert all(word in source for word in first_words)
