from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from community.supportline.workdays import (
    add_working_days,
    due_by,
    is_working_day,
    working_days_between,
)

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 25), False),  # Christmas Day
        (date(2025, 12, 26), False),  # Boxing Day
        (date(2026, 12, 28), False),  # Boxing Day (substitute, Monday)
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 4, 7), True),
        (date(2026, 3, 7), False),  # a Saturday
        (date(2026, 3, 9), True),
    ],
)
def test_is_working_day_knows_weekends_and_english_bank_holidays(day, expected):
    assert is_working_day(day) is expected


def test_two_working_days_after_christmas_eve_skip_christmas_boxing_day_and_the_weekend():
    # Wed 24 Dec 2025: Thu 25 and Fri 26 are bank holidays, then the weekend.
    assert add_working_days(date(2025, 12, 24), 2) == date(2025, 12, 30)


def test_two_working_days_across_easter_skip_good_friday_and_easter_monday():
    # Thu 2 Apr 2026: Good Friday 3 Apr, weekend, Easter Monday 6 Apr.
    assert add_working_days(date(2026, 4, 2), 2) == date(2026, 4, 8)


def test_christmas_2026_substitute_boxing_day_is_not_a_working_day():
    # Thu 24 Dec 2026: Fri 25 Christmas, Sat 26, Sun 27, Mon 28 Boxing Day (observed).
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_a_request_sent_at_the_weekend_counts_from_monday():
    assert add_working_days(date(2026, 3, 7), 2) == date(2026, 3, 10)


def test_zero_working_days_is_the_same_day_and_negative_is_refused():
    assert add_working_days(date(2026, 3, 9), 0) == date(2026, 3, 9)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 9), -1)


def test_due_by_is_the_end_of_the_second_working_day_in_london_time():
    # 23:30 UTC on Tue 31 Mar 2026 is 00:30 BST on Wed 1 Apr: counting starts from 1 Apr.
    submitted = datetime(2026, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    # Thu 2 Apr is day 1; Good Friday and Easter Monday are skipped; Tue 7 Apr is day 2.
    assert due_by(submitted, 2) == datetime(2026, 4, 8, 0, 0, tzinfo=LONDON)


def test_working_days_between_counts_only_working_days():
    assert working_days_between(date(2025, 12, 24), date(2025, 12, 30)) == 2
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1
    assert working_days_between(date(2026, 4, 7), date(2026, 4, 7)) == 0
    assert working_days_between(date(2026, 4, 8), date(2026, 4, 7)) == 0
