"""Trust levels earned from taking part, as on Discourse (levels 0 to 3; 4 is given by staff).

Activity is read from what the forum already keeps, so reading a page writes nothing extra:
posts read and threads entered come from read positions, days visited from the distinct days
those positions moved on, posts from the posts themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from community.accounts.membercache import forget_member
from community.forum.models import Post, ThreadRead

from .log import log


@dataclass(frozen=True)
class Requirement:
    level: int
    threads_entered: int
    posts_read: int
    days_visited: int
    posts_written: int
    account_days: int


REQUIREMENTS = [
    Requirement(
        1, threads_entered=5, posts_read=30, days_visited=1, posts_written=0, account_days=0
    ),
    Requirement(
        2, threads_entered=20, posts_read=100, days_visited=10, posts_written=3, account_days=7
    ),
    Requirement(
        3, threads_entered=100, posts_read=500, days_visited=50, posts_written=10, account_days=50
    ),
]


@dataclass(frozen=True)
class Activity:
    threads_entered: int = 0
    posts_read: int = 0
    days_visited: int = 0
    posts_written: int = 0
    hidden_recently: int = 0


def activity_of(user_ids: list[int]) -> dict[int, Activity]:
    """Each member's activity, in three grouped queries whatever the number of members."""
    reads = {
        row["user_id"]: row
        for row in ThreadRead.objects.filter(user_id__in=user_ids)
        .values("user_id")
        .annotate(threads=Count("thread_id"), posts=Sum("last_read_number"))
    }
    days = {
        row["user_id"]: row["n"]
        for row in ThreadRead.objects.filter(user_id__in=user_ids)
        .annotate(day=TruncDate("updated_at"))
        .values("user_id")
        .annotate(n=Count("day", distinct=True))
    }
    since = timezone.now() - timedelta(days=100)
    writing = {
        row["author_id"]: row
        for row in Post.objects.filter(author_id__in=user_ids, kind="post")
        .values("author_id")
        .annotate(
            written=Count("pk", filter=Q(status="published", deleted_at__isnull=True)),
            hidden=Count("pk", filter=Q(status="hidden", created_at__gte=since)),
        )
    }
    result = {}
    for uid in user_ids:
        r, w = reads.get(uid, {}), writing.get(uid, {})
        result[uid] = Activity(
            threads_entered=r.get("threads") or 0,
            posts_read=r.get("posts") or 0,
            days_visited=days.get(uid, 0),
            posts_written=w.get("written", 0),
            hidden_recently=w.get("hidden", 0),
        )
    return result


def earned_level(user, activity: Activity) -> int:
    level = 0
    age = (timezone.now() - user.date_joined).days
    for req in REQUIREMENTS:
        if (
            activity.threads_entered >= req.threads_entered
            and activity.posts_read >= req.posts_read
            and activity.days_visited >= req.days_visited
            and activity.posts_written >= req.posts_written
            and age >= req.account_days
            and not (req.level == 3 and activity.hidden_recently)
        ):
            level = req.level
    return level


def update_trust_levels(*, batch: int = 500) -> int:
    """Promote members who have earned a higher level; levels set by staff are left alone."""
    User = get_user_model()
    promoted = 0
    candidates = User.objects.filter(is_active=True, trust_level_locked=False, trust_level__lt=3)
    ids = list(candidates.values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        activity = activity_of(chunk)
        for user in User.objects.filter(pk__in=chunk):
            level = earned_level(user, activity[user.pk])
            if level > user.trust_level:
                with transaction.atomic():
                    before = {"trust_level": user.trust_level}
                    User.objects.filter(pk=user.pk).update(trust_level=level)
                    forget_member(user.pk)  # update() sends no post_save
                    user.trust_level = level
                    log(actor=None, action="user.trust_promoted", target=user, before=before,
                        after={"trust_level": level})  # fmt: skip
                promoted += 1
    return promoted
