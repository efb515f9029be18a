"""Periods people ask about (days in the city's zone) as UTC bounds and day keys."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aduan.logic import clock
from aduan.logic.clock import from_storage, to_storage
from aduan.logic.errors import Unprocessable

# Days anyone may ask about: the edges of the calendar (0001-01-01, 9999-12-31) overflow when a zone's
# offset or a period's length is added, and no complaint predates this system by decades.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def local_today(zone: str) -> date:
    """Today in the city's zone: from 00:00 WIB (17:00 UTC) the city is a day ahead of UTC."""
    return clock.now().astimezone(ZoneInfo(zone)).date()


def parse_day(text: str, field: str) -> date:
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        raise Unprocessable(f"{field} must be a date like 2026-11-23",
                            details=[{"field": field, "message": "YYYY-MM-DD"}]) from None
    return within_range(day, field)


def within_range(day: date, field: str) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Unprocessable(f"{field} must be between {FIRST_DAY} and {LAST_DAY}",
                            details=[{"field": field, "message": f"{FIRST_DAY}..{LAST_DAY}"}])
    return day


def day_start_utc(day: date, zone: str) -> str:
    """The first instant of a local day, as a stored UTC timestamp."""
    return to_storage(datetime.combine(day, time.min, ZoneInfo(zone)).astimezone(UTC))


def day_end_utc(day: date, zone: str) -> str:
    return to_storage(datetime.combine(day + timedelta(days=1), time.min, ZoneInfo(zone)).astimezone(UTC)
                      - timedelta(microseconds=1))


def local_day(stamp: str, zone: str) -> str:
    """The city-local day (YYYY-MM-DD) of a stored UTC timestamp."""
    return from_storage(stamp).astimezone(ZoneInfo(zone)).date().isoformat()


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
