"""Schedule expressions and the in-process scheduler."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.schedules import Cron, ScheduleError, Scheduler, parse_rate
from infra.local.wiring import ScheduleSpec, ScheduleTarget


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(5 minutes)", timedelta(minutes=5)),
        ("rate(1 hour)", timedelta(hours=1)),
        ("rate(12 hours)", timedelta(hours=12)),
        ("rate(2 days)", timedelta(days=2)),
    ],
)
def test_rate(expression: str, expected: timedelta) -> None:
    assert parse_rate(expression) == expected


@pytest.mark.parametrize(
    "expression", ["rate(0 minutes)", "rate(5 seconds)", "rate(minutes)", "cron(* * * * ? *)"]
)
def test_bad_rates(expression: str) -> None:
    with pytest.raises(ScheduleError):
        parse_rate(expression)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_cron_matching() -> None:
    every_5 = Cron.parse("cron(0/5 * * * ? *)")
    assert every_5.matches(at("2026-11-23T09:10:00")) and not every_5.matches(at("2026-11-23T09:11:00"))
    weekday_mornings = Cron.parse("cron(30 1 ? * MON-FRI *)")  # 1:30 UTC = 8:30 in Jakarta
    assert weekday_mornings.matches(at("2026-11-23T01:30:00"))  # a Monday
    assert not weekday_mornings.matches(at("2026-11-22T01:30:00"))  # a Sunday
    monthly = Cron.parse("cron(0 0 1 JAN,JUL ? *)")
    assert monthly.matches(at("2026-07-01T00:00:00")) and not monthly.matches(at("2026-08-01T00:00:00"))
    assert every_5.next_after(at("2026-11-23T09:11:30")) == at("2026-11-23T09:15:00")


@pytest.mark.parametrize(
    "expression", ["cron(0 0 L * ? *)", "cron(0 0 ? * 2#1 *)", "cron(* * * *)", "cron(61 * * * ? *)"]
)
def test_unsupported_cron(expression: str) -> None:
    with pytest.raises(ScheduleError):
        Cron.parse(expression)


SPEC = ScheduleSpec(
    "Nightly",
    "nightly",
    "arn:aws:events:ap-southeast-3:123456789012:rule/nightly",
    "rate(1 hour)",
    (ScheduleTarget(function="Fn"), ScheduleTarget(queue_url="http://q", input={"fixed": 1})),
)


def test_fire_delivers_the_scheduled_event_and_constant_inputs() -> None:
    invoked: list[tuple[str, Any]] = []
    sent: list[tuple[str, str]] = []

    def invoke(function: str, event: Any) -> str:
        invoked.append((function, event))
        return "done"

    scheduler = Scheduler(
        [SPEC],
        invoke,
        lambda url, body: sent.append((url, body)),
        "ap-southeast-3",
        "123456789012",
        clock=lambda: 1_795_000_000.0,
    )
    assert scheduler.fire("Nightly") == ["done"]
    ((function, event),) = invoked
    assert function == "Fn"
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["resources"] == [SPEC.arn] and event["detail"] == {}
    assert event["account"] == "123456789012" and event["region"] == "ap-southeast-3"
    assert event["time"] == "2026-11-18T11:06:40Z"
    assert sent == [("http://q", '{"fixed": 1}')]
    with pytest.raises(KeyError):
        scheduler.fire("Unknown")


def test_the_scheduler_thread_fires_when_due() -> None:
    fired = threading.Event()
    now = [1_795_000_000.0]
    scheduler = Scheduler(
        [SPEC],
        lambda fn, event: fired.set(),
        lambda url, body: None,
        "ap-southeast-3",
        "123456789012",
        clock=lambda: now[0],
    )
    now[0] += 3600  # an hour later: due
    scheduler.start()
    try:
        assert fired.wait(5)
    finally:
        scheduler.stop()
