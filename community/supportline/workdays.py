"""Working days in England: Monday to Friday, except English bank holidays.

The service level ("first response within 2 working days") is counted in these days.
Bank holidays come from the maintained `holidays` package (GB, subdivision ENG), so
substitute days such as Boxing Day (observed) are included without a hand-kept list.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    """True for Monday to Friday unless the day is an English bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: date, days: int) -> date:
    """The working day that comes `days` working days after `day` (which may itself be a
    weekend or a holiday: counting starts from the next working day)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = day
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """How many working days after `start` have passed by `end` (0 if `end` is not later)."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def due_by(submitted_at: datetime, working_days: int) -> datetime:
    """The moment a response falls due: the end (midnight, London time) of the working day
    that comes `working_days` working days after the day it was submitted."""
    local_day = submitted_at.astimezone(LONDON).date()
    due_day = add_working_days(local_day, working_days)
    return datetime.combine(due_day + timedelta(days=1), time.min, tzinfo=LONDON)
