"""POST /local/clock: moves the local process's "now" (aduan.logic.clock) forward and wakes the scheduler."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from aduan.logic import clock
from infra.local.apigw import HttpRequest
from infra.local.auth import TokenAuthority
from infra.local.clock import LocalClock
from infra.local.local_endpoints import LocalEndpoints
from infra.local.schedules import Scheduler


class _Tap:
    def recent(self, limit: int) -> list[Any]:
        return []


def _endpoints(local_clock: LocalClock) -> tuple[LocalEndpoints, Scheduler]:
    scheduler = Scheduler([], lambda name, event: None, lambda url, body: None, "ap-southeast-3", "123456789012",
                          clock=local_clock.timestamp)
    endpoints = LocalEndpoints(TokenAuthority("ap-southeast-3"), _Tap(), scheduler,  # type: ignore[arg-type]
                               lambda: {}, local_clock)
    return endpoints, scheduler


def _post(endpoints: LocalEndpoints, body: Any) -> tuple[int, Any]:
    answer = endpoints.handle(HttpRequest("POST", "/local/clock", [], json.dumps(body).encode()))
    return answer.status, json.loads(answer.body)


def test_moving_the_clock_shifts_every_reader_of_logic_clock() -> None:
    local_clock = LocalClock()
    local_clock.install()
    try:
        endpoints, _ = _endpoints(local_clock)
        before = clock.now()
        status, body = _post(endpoints, {"advance_hours": 30, "advance_minutes": 15})
        assert status == 200 and body["offset_seconds"] == 30 * 3600 + 15 * 60
        assert clock.now() - before >= timedelta(hours=30, minutes=15)
        state = endpoints.handle(HttpRequest("GET", "/local/clock", []))
        assert json.loads(state.body)["offset_seconds"] == 30 * 3600 + 15 * 60
    finally:
        local_clock.uninstall()
    assert abs(clock.now() - before) < timedelta(minutes=5)


def test_the_clock_never_goes_back_and_needs_an_amount() -> None:
    endpoints, _ = _endpoints(LocalClock())
    status, body = _post(endpoints, {"advance_days": -1})
    assert status == 422 and "forward" in body["error"]["message"]
    status, body = _post(endpoints, {"minutes": 5})
    assert status == 422 and "advance_minutes" in body["error"]["message"]
    status, _ = _post(endpoints, {"advance_days": "soon"})
    assert status == 422
