"""Reads for moderators' pages, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from community.forum.models import Post

from .models import Flag, ModerationLog, ReviewItem, SafeguardingConcern

AGES = {"day": 1, "week": 7, "month": 30}


@dataclass
class QueueFilters:
    kind: str = ""
    region: str = ""
    priority: str = ""
    age: str = ""


def review_queue(*, filters: QueueFilters, limit: int = 50) -> list[ReviewItem]:
    """Pending items, safeguarding first, then by priority and age; with flags and author history."""
    qs = ReviewItem.objects.filter(state=ReviewItem.State.PENDING)
    if filters.kind in ReviewItem.Kind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.region:
        qs = qs.filter(region__slug=filters.region)
    if filters.priority.isdigit():
        qs = qs.filter(priority=int(filters.priority))
    if filters.age in AGES:
        qs = qs.filter(created_at__lte=timezone.now() - timedelta(days=AGES[filters.age]))
    qs = (
        qs.select_related("post__thread__space", "post__author", "user", "region")
        .prefetch_related(
            Prefetch(
                "post__flags",
                queryset=Flag.objects.filter(outcome=Flag.Outcome.PENDING).select_related(
                    "flagger"
                ),
                to_attr="pending_flags",
            )
        )
        .order_by("priority", "created_at", "pk")
    )
    items = list(qs[:limit])
    _attach_author_history(items)
    return items


def _attach_author_history(items: list[ReviewItem]) -> None:
    """How many posts each author has, and how many were hidden or flagged: one query."""
    author_ids = {i.user_id for i in items if i.user_id}
    stats = {
        row["author_id"]: row
        for row in Post.objects.filter(author_id__in=author_ids)
        .values("author_id")
        .annotate(
            total=Count("pk"),
            hidden=Count("pk", filter=Q(status="hidden")),
            deleted=Count("pk", filter=Q(deleted_at__isnull=False)),
        )
    }
    for item in items:
        item.author_history = stats.get(item.user_id, {"total": 0, "hidden": 0, "deleted": 0})


def concerns_for(viewer) -> QuerySet[SafeguardingConcern]:
    return SafeguardingConcern.objects.select_related(
        "post__thread", "post__author", "raised_by"
    ).order_by("state", "-created_at")


def moderation_log(*, action: str = "", actor: str = "", limit: int = 100) -> list[ModerationLog]:
    qs = ModerationLog.objects.select_related("actor")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor__username=actor)
    return list(qs.order_by("-id")[:limit])


def member_log(member, limit: int = 50) -> list[ModerationLog]:
    """What moderators have done to this member."""
    return list(
        ModerationLog.objects.filter(target_type=member._meta.model_name, target_id=member.pk)
        .select_related("actor")
        .order_by("-id")[:limit]
    )
