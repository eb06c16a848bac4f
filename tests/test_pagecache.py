"""The write generation (community/pagecache.py): a writing transaction's own reads see its
write without a round trip to the cache before the commit; other processes' readers get a
new shared generation once it commits, and never one for a write that rolled back."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from community import pagecache
from community.forum import actions
from tests.factories import make_thread, make_user


def _shared() -> int:
    return int(cache.get(pagecache.GENERATION_KEY))


pytestmark = pytest.mark.usefixtures("network")


def test_a_write_gives_its_transaction_a_generation_of_its_own_and_the_shared_one_moves_on_commit():
    thread = make_thread(author=make_user())
    before = pagecache.generation()
    shared = _shared()
    with transaction.atomic():
        actions.create_post(author=make_user(), thread=thread, source="A reply about cover")
        inside = pagecache.generation()
        assert inside not in (before, shared)
        assert _shared() == shared  # nothing sent to the cache before the commit
        assert pagecache.generation() == inside  # steady until the next write
        actions.create_post(author=make_user(), thread=thread, source="And another")
        assert pagecache.generation() not in (inside, before, shared)
    after = pagecache.generation()
    assert after == _shared() > shared  # committed: the shared generation moved on
    assert after > 0 and inside < 0  # a transaction's own never equals a shared one


def test_a_rolled_back_write_leaves_no_mark():
    thread = make_thread(author=make_user())
    shared = _shared()
    with transaction.atomic():
        before = pagecache.generation()
        try:
            with transaction.atomic():
                actions.create_post(author=make_user(), thread=thread, source="Never kept")
                assert pagecache.generation() != before
                raise RuntimeError("roll the savepoint back")
        except RuntimeError:
            pass
        assert pagecache.generation() == before  # the savepoint's write is undone
    assert _shared() == shared  # and nothing committed, so nothing moved


def test_events_no_page_shows_make_no_mark():
    from community.events import publish_on_commit

    with transaction.atomic():
        before = pagecache.generation()
        publish_on_commit({"type": "supportline.request_submitted", "case_id": 1})
        assert pagecache.generation() == before
