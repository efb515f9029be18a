"""Schedule expressions and the in-process scheduler that fires them.

moto never fires scheduled rules (and put_events fails on rules with Lambda targets), so local
mode keeps schedules out of moto and runs them here, delivering the real "Scheduled Event".
Supported: rate(N minute|minutes|hour|hours|day|days), at(yyyy-mm-ddThh:mm:ss) and cron() with
numbers, names, `*`, `?`, lists, ranges and steps (not L, W or #). Times are UTC.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.local.errors import LocalStackError
from infra.local.wiring import ScheduleSpec

LOG = logging.getLogger(__name__)
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_AT = re.compile(r"^at\(\s*(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\s*\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {
    name: index
    for index, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1
    )
}
_DAYS = {name: index for index, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}
# (low, high, names) for: minutes, hours, day-of-month, month, day-of-week (1 = Sunday), year.
_FIELDS: tuple[tuple[int, int, dict[str, int]], ...] = (
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, _MONTHS),
    (1, 7, _DAYS),
    (1970, 2199, {}),
)
_CRON_HORIZON = timedelta(days=8)


class ScheduleError(LocalStackError):
    """A schedule expression local mode cannot run."""


def parse_rate(expression: str) -> timedelta:
    match = _RATE.match(expression.strip())
    if not match or int(match.group(1)) < 1:
        raise ScheduleError(f"not a rate expression: {expression!r}")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")])


@dataclass(frozen=True)
class Cron:
    fields: tuple[frozenset[int] | None, ...]  # None: any value

    @classmethod
    def parse(cls, expression: str) -> Cron:
        text = expression.strip()
        if not (text.startswith("cron(") and text.endswith(")")):
            raise ScheduleError(f"not a cron expression: {expression!r}")
        parts = text[5:-1].split()
        if len(parts) != 6:
            raise ScheduleError(f"cron needs 6 fields (min hour day month weekday year): {expression!r}")
        return cls(tuple(_parse_field(part, *spec) for part, spec in zip(parts, _FIELDS, strict=True)))

    def matches(self, moment: datetime) -> bool:
        weekday = (moment.weekday() + 1) % 7 + 1  # Python: Monday 0; cron: Sunday 1
        values = (moment.minute, moment.hour, moment.day, moment.month, weekday, moment.year)
        return all(
            allowed is None or value in allowed for allowed, value in zip(self.fields, values, strict=True)
        )

    def next_after(self, moment: datetime) -> datetime | None:
        """The first matching minute after moment, within a horizon (None: look again later)."""
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        end = moment + _CRON_HORIZON
        while candidate <= end:
            if self.matches(candidate):
                return candidate
            candidate += timedelta(minutes=1)
        return None


def _parse_field(text: str, low: int, high: int, names: dict[str, int]) -> frozenset[int] | None:
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for item in text.split(","):
        span, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = low, high
        elif "-" in span:
            first, last = (_value(bound, names) for bound in span.split("-", 1))
        else:
            first = _value(span, names)
            last = high if step_text else first
        if not low <= first <= last <= high or step < 1:
            raise ScheduleError(f"cron field {text!r} is out of range {low}-{high}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _value(text: str, names: dict[str, int]) -> int:
    upper = text.upper()
    if upper in names:
        return names[upper]
    if not text.isdigit():
        # L, W and # (last day, nearest weekday, nth weekday) land here too.
        raise ScheduleError(f"cron value {text!r} is not supported locally")
    return int(text)


def scheduled_event(spec: ScheduleSpec, region: str, account_id: str, now: float) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": spec.source,
        "account": account_id,
        "time": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [spec.arn],
        "detail": {},
    }


class _Timer:
    """When one schedule fires next."""

    def __init__(self, expression: str, start: float) -> None:
        self.rate: timedelta | None = None
        self.cron: Cron | None = None
        self.at: float | None = None
        if expression.startswith("rate("):
            self.rate = parse_rate(expression)
        elif expression.startswith("cron("):
            self.cron = Cron.parse(expression)
        elif (at := _AT.match(expression.strip())) is not None:
            self.at = datetime.fromisoformat(at.group(1)).replace(tzinfo=UTC).timestamp()
        else:
            raise ScheduleError(f"unsupported schedule expression {expression!r}")
        self.due = self._after(start)

    def _after(self, moment: float) -> float:
        if self.rate is not None:
            return moment + self.rate.total_seconds()
        if self.cron is not None:
            after = datetime.fromtimestamp(moment, UTC)
            found = self.cron.next_after(after)
            return found.timestamp() if found else (after + _CRON_HORIZON).timestamp()
        return self.at if self.at is not None and self.at > moment else float("inf")

    def advance(self, fired_at: float) -> None:
        self.due = self._after(fired_at)


Invoke = Callable[[str, Any], Any]
SendToQueue = Callable[[str, str], None]


class Scheduler:
    def __init__(
        self,
        specs: Sequence[ScheduleSpec],
        invoke: Invoke,
        send_to_queue: SendToQueue,
        region: str,
        account_id: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.specs = {spec.logical_id: spec for spec in specs}
        self._invoke = invoke
        self._send = send_to_queue
        self._region = region
        self._account_id = account_id
        self._clock = clock
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._timers = {spec.logical_id: _Timer(spec.expression, clock()) for spec in specs}

    def start(self) -> None:
        if any(spec.enabled for spec in self.specs.values()):
            self._thread = threading.Thread(target=self._run, name="local-scheduler", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def wake(self) -> None:
        """Look at the timers now (the clock was moved forward: some may be due)."""
        self._wake.set()

    def fire(self, logical_id: str) -> list[Any]:
        """Fire a schedule now, in the caller's thread; returns each function target's result."""
        spec = self.specs.get(logical_id)
        if spec is None:
            raise KeyError(f"no schedule {logical_id}; known: {', '.join(sorted(self.specs))}")
        event = scheduled_event(spec, self._region, self._account_id, self._clock())
        results = []
        for target in spec.targets:
            payload = event if target.input is None else target.input
            if target.function is not None:
                results.append(self._invoke(target.function, payload))
            elif target.queue_url is not None:
                self._send(target.queue_url, json.dumps(payload))
        return results

    def _run(self) -> None:
        while not self._stop.is_set():
            now = self._clock()
            for logical_id, timer in self._timers.items():
                if not self.specs[logical_id].enabled or timer.due > now:
                    continue
                timer.advance(now)
                try:
                    self.fire(logical_id)
                except Exception:
                    # Scheduled invocations are asynchronous in AWS: an error is logged, not raised.
                    LOG.exception("scheduled invocation of %s failed", logical_id)
            enabled = [t.due for lid, t in self._timers.items() if self.specs[lid].enabled]
            self._wake.wait(max(0.05, min([60.0, *(due - self._clock() for due in enabled)])))
            self._wake.clear()
