"""The /local/* endpoints, which exist only in local mode: tokens, recent events, health, schedules,
and the controllable clock."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

from infra.local.apigw import HttpRequest, HttpResponse, error_response, json_response
from infra.local.auth import TokenAuthority, UnknownRole
from infra.local.clock import LocalClock
from infra.local.event_tap import EventTap
from infra.local.runtime import FunctionError
from infra.local.schedules import Scheduler

LOG = logging.getLogger(__name__)
PREFIX = "/local/"
# A browser app served from another port can fetch tokens too.
_CORS = [("Access-Control-Allow-Origin", "*")]


class LocalEndpoints:
    def __init__(
        self,
        auth: TokenAuthority,
        events: EventTap,
        scheduler: Scheduler,
        health: Callable[[], dict[str, Any]],
        clock: LocalClock | None = None,
        outbox: Callable[[int], list[dict[str, Any]]] | None = None,
    ) -> None:
        self._outbox = outbox
        self._auth = auth
        self._events = events
        self._scheduler = scheduler
        self._health = health
        self._clock = clock or LocalClock()

    def handle(self, request: HttpRequest) -> HttpResponse:
        path = request.path.rstrip("/")
        query = {key: values[-1] for key, values in parse_qs(request.query).items()}
        if request.method == "GET" and path == "/local/token":
            return self._token(query)
        if request.method == "GET" and path == "/local/events":
            limit = int(query["limit"]) if query.get("limit", "").isdigit() else 100
            return json_response(200, {"events": self._events.recent(limit)}, _CORS)
        if request.method == "GET" and path == "/local/outbox" and self._outbox is not None:
            limit = int(query["limit"]) if query.get("limit", "").isdigit() else 200
            return json_response(200, {"messages": self._outbox(limit)}, _CORS)
        if request.method == "GET" and path == "/local/health":
            return json_response(200, {"status": "ok", **self._health()}, _CORS)
        if path == "/local/clock" and request.method in ("GET", "POST"):
            return self._move_clock(request) if request.method == "POST" else self._clock_state()
        if request.method == "POST" and path.startswith("/local/schedules/"):
            return self._fire(path.removeprefix("/local/schedules/"))
        return error_response(404, "not_found", f"No local endpoint {request.method} {request.path}")

    def _token(self, query: dict[str, str]) -> HttpResponse:
        try:
            token = self._auth.issue(
                query.get("role", "citizen"),
                sub=query.get("sub"),
                agency_id=query.get("agency_id"),
                name=query.get("name"),
                email=query.get("email"),
            )
        except UnknownRole as error:
            return error_response(400, "validation_error", str(error))
        return json_response(200, {"token": token, "claims": self._auth.verify(token)}, _CORS)

    def _clock_state(self) -> HttpResponse:
        return json_response(200, {"now": self._clock.now().isoformat(timespec="seconds"),
                                   "offset_seconds": self._clock.offset.total_seconds()}, _CORS)

    def _move_clock(self, request: HttpRequest) -> HttpResponse:
        """Body {"advance_minutes": n} / {"advance_hours": n} / {"advance_days": n}: moves "now" forward
        for every handler and the scheduler, which then fires whatever became due."""
        try:
            body = json.loads(request.body or b"{}")
            units = {"advance_minutes": 60, "advance_hours": 3600, "advance_days": 86400}
            seconds = sum(float(body[name]) * factor for name, factor in units.items() if name in body)
            if not any(name in body for name in units):
                raise ValueError("give advance_minutes, advance_hours or advance_days")
            self._clock.advance(timedelta(seconds=seconds))
        except (ValueError, TypeError, AttributeError) as error:
            return error_response(422, "validation_error", str(error))
        self._scheduler.wake()
        return self._clock_state()

    def _fire(self, logical_id: str) -> HttpResponse:
        try:
            results = self._scheduler.fire(logical_id)
        except KeyError as error:
            return error_response(404, "not_found", str(error.args[0]))
        except FunctionError as error:
            return error_response(502, "function_error", str(error))
        return json_response(200, {"schedule": logical_id, "results": results})
