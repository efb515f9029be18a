"""Working time: a city's business hours in its own zone, minus public holidays and extra days off.

All arithmetic is exact (timedelta, microseconds): adding N of working time to a moment and then
measuring from that moment gives back N, across weekends, Lebaran, year ends and zones. Public
holidays come from the `holidays` package (Indonesia); cuti bersama and regional days off, which
are decreed each year, are configuration (`extra_days_off`), as are days the package lists that a
city works anyway (`working_days`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from holidays import HolidayBase

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar with no working time in ten years is a configuration error, not a reason to loop forever.
MAX_DAYS = 3660
ZERO = timedelta(0)

Interval = tuple[int, int]  # minutes after local midnight, [start, end)


def parse_interval(text: str) -> Interval:
    """"08:00-16:00" -> (480, 960); "24:00" is allowed as an end."""
    try:
        start_text, end_text = (part.strip() for part in text.split("-"))
        start, end = (_minutes(part) for part in (start_text, end_text))
    except ValueError:
        raise ValueError(f"business hours {text!r} must look like 08:00-16:00") from None
    if not 0 <= start < end <= 24 * 60:
        raise ValueError(f"business hours {text!r} must start before they end, within one day")
    return start, end


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    if len(minutes) != 2 or not 0 <= int(minutes) < 60:
        raise ValueError(text)
    return int(hours) * 60 + int(minutes)


@lru_cache(maxsize=16)
def _public_holidays(country: str, subdivision: str | None) -> HolidayBase:
    import holidays  # ~100 modules: paid by the first working-time sum, not by every handler's cold start

    # The object fills in each year the first time a date of that year is looked up.
    return holidays.country_holidays(country, subdiv=subdivision)


class WorkingCalendar:
    def __init__(
        self,
        zone: str = "Asia/Jakarta",
        weekly_hours: Mapping[str, Sequence[str]] | None = None,
        *,
        country: str | None = "ID",
        subdivision: str | None = None,
        extra_days_off: Iterable[date] = (),
        working_days: Iterable[date] = (),
    ) -> None:
        self.zone = ZoneInfo(zone)
        hours = weekly_hours if weekly_hours is not None else {
            day: ["08:00-16:00"] for day in WEEKDAYS[:5]
        }
        unknown = set(hours) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"unknown weekday(s) {sorted(unknown)}: use {', '.join(WEEKDAYS)}")
        self._week: tuple[tuple[Interval, ...], ...] = tuple(
            _merged([parse_interval(text) for text in hours.get(day, ())]) for day in WEEKDAYS
        )
        if not any(self._week):
            raise ValueError("the working week has no business hours")
        self._country, self._subdivision = country, subdivision
        self._extra_off = frozenset(extra_days_off)
        self._forced_working = frozenset(working_days)

    # ------------------------------------------------------------------ days
    def holiday_name(self, day: date) -> str | None:
        if day in self._forced_working:
            return None
        if day in self._extra_off:
            return "extra day off"
        if self._country is None:
            return None
        name = _public_holidays(self._country, self._subdivision).get(day)
        return str(name) if name else None

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of one local date, as aware datetimes in the calendar's zone."""
        if self.holiday_name(day) is not None:
            return []
        midnight = datetime.combine(day, time(0), tzinfo=self.zone)
        return [(midnight + timedelta(minutes=start), midnight + timedelta(minutes=end))
                for start, end in self._week[day.weekday()]]

    def is_working_day(self, day: date) -> bool:
        return bool(self.intervals(day))

    def _days_from(self, moment: datetime) -> Iterator[date]:
        day = moment.astimezone(self.zone).date() - timedelta(days=1)  # an interval may span midnight UTC
        for _ in range(MAX_DAYS):
            yield day
            day += timedelta(days=1)
        raise ValueError(f"no working time within {MAX_DAYS} days of {moment.isoformat()}")

    # ------------------------------------------------------------------ arithmetic
    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The moment when `amount` of working time has passed since `start`."""
        _aware(start)
        if amount < ZERO:
            raise ValueError("working time to add must not be negative")
        if amount == ZERO:
            return start
        remaining = amount
        for day in self._days_from(start):
            for opens, closes in self.intervals(day):
                if closes <= start:
                    continue
                begin = max(opens, start)
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        raise AssertionError("unreachable: _days_from raises first")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in [start, end); zero when end is not after start."""
        _aware(start)
        _aware(end)
        total = ZERO
        if end <= start:
            return total
        last_day = end.astimezone(self.zone).date()
        for day in self._days_from(start):
            if day > last_day:
                return total
            for opens, closes in self.intervals(day):
                overlap = min(closes, end) - max(opens, start)
                if overlap > ZERO:
                    total += overlap
        return total

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        return self.add(start, timedelta(minutes=minutes))

    def working_minutes_between(self, start: datetime, end: datetime) -> int:
        return int(self.between(start, end) // timedelta(minutes=1))

    def end_of_working_days(self, start: datetime, days: int) -> datetime:
        """Close of business on the `days`-th working day counted from `start`.

        The day of receipt counts only if the complaint arrived before that day opened
        ("paling lambat N hari kerja sejak diterima"); otherwise counting starts the next working day.
        """
        _aware(start)
        if days < 1:
            raise ValueError("a limit in working days must be at least 1")
        counted = 0
        for day in self._days_from(start):
            spans = self.intervals(day)
            if not spans or day < start.astimezone(self.zone).date():
                continue
            if day == start.astimezone(self.zone).date() and start > spans[0][0]:
                continue
            counted += 1
            if counted == days:
                return spans[-1][1]
        raise AssertionError("unreachable: _days_from raises first")


def _merged(intervals: list[Interval]) -> tuple[Interval, ...]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
