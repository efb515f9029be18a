"""Working-time arithmetic: business hours, weekends, public holidays, cuti bersama, zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aduan.logic.calendar import WorkingCalendar

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
HOURS = {"mon": ["07:30-16:00"], "tue": ["07:30-16:00"], "wed": ["07:30-16:00"], "thu": ["07:30-16:00"],
         "fri": ["07:30-11:30", "13:00-16:30"]}
CUTI_2026 = [date(2026, 3, 18), date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 24), date(2026, 12, 24)]
CAL = WorkingCalendar("Asia/Jakarta", HOURS, extra_days_off=CUTI_2026)


def wib(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=WIB)  # type: ignore[misc]


def test_within_one_day() -> None:
    assert CAL.add(wib(2026, 11, 23, 8, 0), timedelta(hours=2)) == wib(2026, 11, 23, 10, 0)
    assert CAL.working_minutes_between(wib(2026, 11, 23, 8, 0), wib(2026, 11, 23, 10, 0)) == 120


def test_before_opening_and_after_closing_start_at_the_next_opening() -> None:
    assert CAL.add(wib(2026, 11, 23, 5, 0), timedelta(minutes=30)) == wib(2026, 11, 23, 8, 0)
    assert CAL.add(wib(2026, 11, 23, 18, 0), timedelta(minutes=30)) == wib(2026, 11, 24, 8, 0)


def test_friday_prayer_break_and_weekend() -> None:
    # Friday 11:00 + 2 h: 30 min before the break, 1 h 30 after it (13:00-14:30).
    assert CAL.add(wib(2026, 11, 27, 11, 0), timedelta(hours=2)) == wib(2026, 11, 27, 14, 30)
    # Friday 16:00 + 1 h: 30 min on Friday, the rest on Monday.
    assert CAL.add(wib(2026, 11, 27, 16, 0), timedelta(hours=1)) == wib(2026, 11, 30, 8, 0)
    assert CAL.working_minutes_between(wib(2026, 11, 28, 9, 0), wib(2026, 11, 29, 15, 0)) == 0


def test_closing_time_is_reached_exactly() -> None:
    assert CAL.add(wib(2026, 11, 23, 15, 0), timedelta(hours=1)) == wib(2026, 11, 23, 16, 0)


def test_lebaran_2026_with_cuti_bersama() -> None:
    # Public holidays (holidays package): Nyepi 19 Mar, Idulfitri 21-22 Mar (a weekend).
    # Cuti bersama (configured): 18, 20, 23, 24 Mar. Tue 17 Mar 15:00 + 2 working hours:
    # 1 h on the 17th, then nothing until Wednesday 25 Mar.
    assert CAL.holiday_name(date(2026, 3, 19)) is not None
    assert CAL.holiday_name(date(2026, 3, 20)) == "extra day off"
    assert CAL.add(wib(2026, 3, 17, 15, 0), timedelta(hours=2)) == wib(2026, 3, 25, 8, 30)
    assert CAL.end_of_working_days(wib(2026, 3, 17, 10, 0), 1) == wib(2026, 3, 25, 16, 0)


def test_year_end() -> None:
    # Thu 24 Dec cuti bersama, Fri 25 Dec Christmas, weekend, then 28-31 Dec, 1 Jan New Year.
    assert CAL.end_of_working_days(wib(2026, 12, 23, 9, 0), 5) == wib(2027, 1, 4, 16, 0)
    assert CAL.working_minutes_between(wib(2026, 12, 31, 15, 0), wib(2027, 1, 4, 8, 0)) == 60 + 30


def test_working_days_count_the_day_of_receipt_only_before_opening() -> None:
    assert CAL.end_of_working_days(wib(2026, 11, 23, 6, 0), 1) == wib(2026, 11, 23, 16, 0)
    assert CAL.end_of_working_days(wib(2026, 11, 23, 9, 0), 1) == wib(2026, 11, 24, 16, 0)
    assert CAL.end_of_working_days(wib(2026, 11, 26, 9, 0), 3) == wib(2026, 12, 1, 16, 0)


def test_zones_wita_and_wit_use_local_business_hours() -> None:
    makassar = WorkingCalendar("Asia/Makassar", HOURS, country=None)
    jayapura = WorkingCalendar("Asia/Jayapura", HOURS, country=None)
    start = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 08:00 WITA, 09:00 WIT, 07:00 WIB
    assert makassar.add(start, timedelta(hours=1)) == datetime(2026, 11, 23, 9, 0, tzinfo=WITA)
    assert jayapura.add(start, timedelta(hours=1)) == datetime(2026, 11, 23, 10, 0, tzinfo=WIT)
    assert CAL.add(start, timedelta(hours=1)) == wib(2026, 11, 23, 8, 30)


def test_forced_working_day_and_invalid_calendars() -> None:
    worked = WorkingCalendar("Asia/Jakarta", HOURS, working_days=[date(2026, 8, 17)])
    assert worked.is_working_day(date(2026, 8, 17)) and not CAL.is_working_day(date(2026, 8, 17))
    with pytest.raises(ValueError, match="no business hours"):
        WorkingCalendar("Asia/Jakarta", {"mon": []})
    with pytest.raises(ValueError, match="08:00-16:00"):
        WorkingCalendar("Asia/Jakarta", {"mon": ["8-16"]})
    with pytest.raises(ValueError, match="naive"):
        CAL.add(datetime(2026, 1, 1), timedelta(hours=1))


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31),
                       timezones=st.sampled_from([UTC, WIB, WITA, WIT]))


@settings(max_examples=150, deadline=None)
@given(start=moments, minutes=st.integers(min_value=0, max_value=60 * 24 * 40))
def test_adding_then_measuring_gives_back_the_same_working_minutes(start: datetime, minutes: int) -> None:
    end = CAL.add_working_minutes(start, minutes)
    assert CAL.working_minutes_between(start, end) == minutes
    assert end >= start


@settings(max_examples=100, deadline=None)
@given(start=moments, first=st.integers(0, 5000), second=st.integers(0, 5000))
def test_adding_in_two_steps_equals_adding_once(start: datetime, first: int, second: int) -> None:
    in_steps = CAL.add_working_minutes(CAL.add_working_minutes(start, first), second)
    assert in_steps == CAL.add_working_minutes(start, first + second)


@settings(max_examples=100, deadline=None)
@given(a=moments, b=moments, c=moments)
def test_measuring_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    assert CAL.between(a, b) + CAL.between(b, c) == CAL.between(a, c)
