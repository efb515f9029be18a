"""Periods people ask about (days in the city's zone) as UTC bounds and day keys."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aduan.logic.clock import from_storage, to_storage
from aduan.logic.errors import Unprocessable


def parse_day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise Unprocessable(f"{field} must be a date like 2026-11-23",
                            details=[{"field": field, "message": "YYYY-MM-DD"}]) from None


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
