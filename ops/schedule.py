"""The network's scheduled jobs: what runs, how often, and which period "now" falls in.

The worker claims each period once (`ScheduledRun`), so a job runs exactly once per period
however many workers are running. A period that passed while no worker ran is run once when
one starts (as anacron does); periods are never run twice to catch up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Job:
    name: str
    command: tuple[str, ...]
    every: str  # "minute", "5 minutes", "hour", "day", "week"
    at: time = time(0, 0)  # for "day" and "week": local time of day (Europe/London)
    weekday: int = 0  # for "week": Monday is 0
    description: str = ""

    def period_start(self, now: datetime) -> datetime:
        """The start of the period that `now` falls in (aware, UTC)."""
        override = settings.SCHEDULE_EVERY_SECONDS.get(self.name)
        if override:
            epoch = int(now.timestamp())
            return datetime.fromtimestamp(epoch - epoch % override, tz=ZoneInfo("UTC"))
        local = timezone.localtime(now, ZoneInfo(settings.TIME_ZONE))
        if self.every == "minute":
            start = local.replace(second=0, microsecond=0)
        elif self.every == "5 minutes":
            start = local.replace(minute=local.minute - local.minute % 5, second=0, microsecond=0)
        elif self.every == "hour":
            start = local.replace(minute=0, second=0, microsecond=0)
        elif self.every in ("day", "week"):
            start = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
            if start > local:
                start -= timedelta(days=1)
            if self.every == "week":
                start -= timedelta(days=(start.weekday() - self.weekday) % 7)
        else:
            raise ValueError(f"unknown schedule {self.every!r}")
        return start.astimezone(ZoneInfo("UTC"))


JOBS: tuple[Job, ...] = (
    Job(
        "moderation_timers",
        ("moderation_timers",),
        "minute",
        description="ends expired pins; closes or reopens threads whose timer is due",
    ),
    Job(
        "retry_webhooks",
        ("retry_webhooks",),
        "minute",
        description="webhook deliveries whose retry time has come",
    ),
    Job(
        "close_due_polls",
        ("close_due_polls",),
        "minute",
        description="closes polls whose close time has passed",
    ),
    Job(
        "flush_thread_views",
        ("flush_thread_views",),
        "minute",
        description="adds the thread views buffered in the cache to the threads' view counts",
    ),
    Job(
        "send_event_reminders",
        ("send_event_reminders",),
        "5 minutes",
        description="event reminders a day and an hour before, once each",
    ),
    Job(
        "remind_overdue_cases",
        ("remind_overdue_cases",),
        "hour",
        description="SupportLine requests past their first-response time",
    ),
    Job(
        "send_digests_daily",
        ("send_digests", "daily"),
        "day",
        at=time(7, 0),
        description="daily summary emails",
    ),
    Job(
        "send_digests_weekly",
        ("send_digests", "weekly"),
        "week",
        at=time(7, 0),
        weekday=0,
        description="weekly summary emails, Mondays",
    ),
    Job(
        "mark_due_resources",
        ("mark_due_resources",),
        "day",
        at=time(6, 0),
        description="library resources whose review is due",
    ),
    Job(
        "update_trust_levels",
        ("update_trust_levels",),
        "day",
        at=time(3, 0),
        description="promotes members whose activity earned a higher trust level",
    ),
    Job(
        "complete_deletions",
        ("complete_deletions",),
        "day",
        at=time(3, 30),
        description="completes account deletions whose grace period has ended",
    ),
    Job(
        "forget_unreadable_subscriptions",
        ("forget_unreadable_subscriptions",),
        "day",
        at=time(4, 0),
        description="drops notification levels for threads and spaces a member can no longer read",
    ),
)

BY_NAME = {job.name: job for job in JOBS}
