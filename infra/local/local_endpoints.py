"""The /local/* endpoints, which exist only in local mode: tokens, recent events, health, schedules."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from infra.local.apigw import HttpRequest, HttpResponse, error_response, json_response
from infra.local.auth import TokenAuthority, UnknownRole
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
        outbox: Callable[[int], list[dict[str, Any]]] | None = None,
    ) -> None:
        self._outbox = outbox
        self._auth = auth
        self._events = events
        self._scheduler = scheduler
        self._health = health

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

    def _fire(self, logical_id: str) -> HttpResponse:
        try:
            results = self._scheduler.fire(logical_id)
        except KeyError as error:
            return error_response(404, "not_found", str(error.args[0]))
        except FunctionError as error:
            return error_response(502, "function_error", str(error))
        return json_response(200, {"schedule": logical_id, "results": results})
