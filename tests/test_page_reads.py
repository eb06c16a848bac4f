"""An assembled page reads its cache keys in one round trip (community/fragments.page_reads):
the shared page, the bell, the member's level and the thread's library links together."""

import pytest
from django.core.cache import caches

from community.fragments import cached, page_reads
from tests.factories import make_thread, make_user
from tests.harness import recorded_cache_reads

pytestmark = pytest.mark.django_db


def _recorded_reads(client, url):
    response, gets, batches = recorded_cache_reads(client, url)
    assert response.status_code == 200
    return gets, batches


def _a_day_old(thread):
    """Relative times change each second in a thread's first minute, and so would its page."""
    from datetime import timedelta

    from django.utils import timezone

    from community.forum.models import Post, Thread

    then = timezone.now() - timedelta(days=1, hours=3)
    Post.objects.filter(thread=thread).update(created_at=then)
    Thread.objects.filter(pk=thread.pk).update(created_at=then, last_post_at=then)
    return thread


def test_a_warm_thread_page_reads_its_shared_page_and_the_members_keys_in_one_batch(client):
    from community.forum.assembly import forget_kept_pages
    from community.fragments import forget_local_pages

    member = make_user()
    thread = _a_day_old(make_thread())
    client.force_login(member)
    url = thread.get_absolute_url() + "?page=1"
    client.get(url)  # fills the shared page and the member's keys
    forget_local_pages()  # another process, which has not served this page yet
    forget_kept_pages()
    gets, batches = _recorded_reads(client, url)
    page_batch = next(b for b in batches if any(k.startswith("fragment:thread-page") for k in b))
    for key in (f"bell:{member.pk}", f"level:{member.pk}:thread:{thread.pk}"):
        assert key in page_batch
        assert key not in gets  # answered from the batch
    assert f"library:from-thread:{thread.pk}" in page_batch
    assert not [k for k in gets if k.startswith(("fragment:thread-page", "bell:", "level:"))]


def test_a_process_that_served_the_shared_page_reads_only_the_members_keys(client):
    """The process keeps the shared pages it served (their keys name every value they show):
    the next request reads only the member's keys, still in one batch."""
    member = make_user()
    thread = _a_day_old(make_thread())
    client.force_login(member)
    url = thread.get_absolute_url() + "?page=1"
    client.get(url)
    gets, batches = _recorded_reads(client, url)
    page_batches = [b for b in batches if f"bell:{member.pk}" in b]
    assert len(page_batches) == 1  # (the session and member are read in a batch of their own)
    assert f"level:{member.pk}:thread:{thread.pk}" in page_batches[0]
    assert not [k for b in batches for k in b if k.startswith("fragment:thread-page")]
    assert not [k for k in gets if k.startswith(("fragment:thread-page", "bell:", "level:"))]


def test_a_thread_list_reads_its_shared_page_and_the_bell_together(client):
    from community.forum.assembly import forget_kept_pages
    from community.fragments import forget_local_pages

    member = make_user()
    _a_day_old(make_thread())
    client.force_login(member)
    client.get("/")
    forget_local_pages()  # another process, which has not served this list yet
    forget_kept_pages()
    gets, batches = _recorded_reads(client, "/")
    page_batch = next(b for b in batches if any(k.startswith("fragment:thread-list") for k in b))
    assert f"bell:{member.pk}" in page_batch
    assert f"bell:{member.pk}" not in gets


def test_a_warm_region_list_reads_the_bell_and_the_members_level_together(client):
    """A list kept for the member's class reads the member's keys (the bell, their level on
    the region's group) in one batch after the session's: two round trips in all."""
    from tests.factories import regional_group

    member = make_user()
    group = regional_group("london")
    _a_day_old(make_thread(space=group))
    client.force_login(member)
    url = f"/r/{group.region.slug}/"
    client.get(url)
    client.get(url)
    gets, batches = _recorded_reads(client, url)
    assert len(batches) == 2, batches
    for key in (f"bell:{member.pk}", f"level:{member.pk}:space:{group.pk}"):
        assert key in batches[1]
        assert key not in gets


def test_a_key_missing_from_the_batch_is_read_as_before(rf):
    caches["default"].set("page-reads-test:present", "here")
    caches["default"].delete("page-reads-test:absent")
    with page_reads("no-such-kind", rf.get("/"), None, ["page-reads-test:present"]):
        assert cached("page-reads-test:present") == "here"
        caches["default"].set("page-reads-test:absent", "filled later")
        assert cached("page-reads-test:absent") == "filled later"
    assert cached("page-reads-test:present") == "here"  # outside a page, a plain read


def test_a_signed_in_request_reads_its_session_member_groups_and_generation_together(client):
    """One round trip before the page: the session, the member's row, their groups and the
    page cache's write generation (which keys the pages a process keeps); then one for the
    page's member keys."""
    from community import pagecache

    member = make_user()
    thread = _a_day_old(make_thread())
    client.force_login(member)
    url = thread.get_absolute_url() + "?page=1"
    client.get(url)
    client.get(url)
    gets, batches = _recorded_reads(client, url)
    first = batches[0]
    assert pagecache.GENERATION_KEY in first
    assert f"member:{member.pk}" in first
    assert f"member-spaces:{member.pk}" in first
    assert any(key.endswith(client.session.session_key) for key in first)
    assert not [k for k in gets if k in (pagecache.GENERATION_KEY, f"member-spaces:{member.pk}")]
    assert len(batches) == 2, batches
