"""Time in one place: stored in UTC with fixed-width ISO strings, shown in the city's zone.

Fixed width (microseconds, trailing Z) matters: these strings are DynamoDB sort keys, so their
lexical order must equal their time order.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return _now()


def set_clock(source: Callable[[], datetime] | None) -> None:
    """Replace the time source (tests, local mode's controllable clock); None restores the real one."""
    global _now
    _now = source if source is not None else (lambda: datetime.now(UTC))


def to_storage(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_storage(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def for_display(text: str | None, zone: str) -> str | None:
    """A stored UTC timestamp as ISO-8601 with the city's offset, e.g. 2026-11-23T15:15:00+07:00."""
    if text is None:
        return None
    from zoneinfo import ZoneInfo  # on use: functions that never display a time skip its cold-start cost

    return from_storage(text).astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
