"""The notifications page's read (notifications/selectors.py)."""

import pytest
from django.utils import timezone

from notifications import selectors
from notifications.models import Notification
from tests.factories import make_thread, make_user

pytestmark = pytest.mark.django_db


def _notify(member, post, *, read: bool) -> Notification:
    return Notification.objects.create(
        user=member, kind="reply", actor=post.author, thread=post.thread, post=post,
        data={"title": post.thread.title, "actor": post.author.display_name},
        read_at=timezone.now() if read else None,
    )  # fmt: skip


def test_notification_list_puts_unread_first_then_newest_across_pages():
    member = make_user()
    post = make_thread(title="Evening groups for working parents").posts.get(number=1)
    old_read, old_unread, new_read, new_unread, newest_read = (
        _notify(member, post, read=read) for read in (True, False, True, False, True)
    )
    _notify(make_user(), post, read=False)  # someone else's

    first, more = selectors.notification_list(viewer=member, page=1, per_page=3)
    second, more_after = selectors.notification_list(viewer=member, page=2, per_page=3)

    assert [n.pk for n in first] == [new_unread.pk, old_unread.pk, newest_read.pk]
    assert [n.pk for n in second] == [new_read.pk, old_read.pk]
    assert more is True and more_after is False
    assert first[0].post.thread.space.slug  # joined, for the visibility check


@pytest.mark.parametrize("count", [3, 40])
def test_notification_list_is_one_query_whatever_the_members_history(
    count, django_assert_num_queries
):
    member = make_user()
    post = make_thread().posts.get(number=1)
    for i in range(count):
        _notify(member, post, read=i % 3 == 0)

    with django_assert_num_queries(1):
        rows, _more = selectors.notification_list(viewer=member, page=1)
        assert all(n.post.thread.space_id for n in rows)
    assert len(rows) == min(count, 30)
