from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from community.forum.models import ThreadRead
from community.moderation.models import ModerationLog
from community.moderation.trust import activity_of, update_trust_levels
from tests.factories import bulk_replies, bulk_threads, make_user, national

pytestmark = pytest.mark.django_db


def _read(user, threads, days: int) -> None:
    now = timezone.now()
    ThreadRead.objects.bulk_create(
        ThreadRead(
            user=user,
            thread=t,
            last_read_number=t.highest_post_number,
            updated_at=now - timedelta(days=i % days),
        )
        for i, t in enumerate(threads)
    )


def test_reading_earns_level_one_and_staff_set_levels_stay():
    from community.forum.models import Thread

    bulk_threads(national(), 6)
    threads = list(Thread.objects.all())
    for thread in threads:
        bulk_replies(thread, 6)
    reader = make_user(trust_level=0)
    locked = make_user(trust_level=0, trust_level_locked=True)
    _read(reader, threads, days=2)
    _read(locked, threads, days=2)
    assert activity_of([reader.pk])[reader.pk].posts_read == 42
    assert update_trust_levels() == 1
    reader.refresh_from_db()
    locked.refresh_from_db()
    assert reader.trust_level == 1 and locked.trust_level == 0
    assert ModerationLog.objects.filter(action="user.trust_promoted", target_id=reader.pk).exists()


def test_new_member_without_activity_stays_at_zero():
    newcomer = make_user(trust_level=0)
    call_command("update_trust_levels", stdout=open("/dev/null", "w"))
    newcomer.refresh_from_db()
    assert newcomer.trust_level == 0
