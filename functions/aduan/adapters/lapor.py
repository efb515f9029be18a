"""SP4N-LAPOR!: the port a bridge needs, and the HTTPS adapter behind it.

LAPOR!'s integration API is not public, so the requests below are ASSUMED (docs/lapor.md says what the
public sources describe and what each assumption is); they are built in one place, `LaporApi`, so mapping
them onto the real API is one module's change. The assumed API, under the configured `base_url`, with
`Authorization: Bearer <token>` on every call:

- `GET  /reports?cursor=<c>&limit=<n>` -> `{"reports": [LaporReport…], "next_cursor": "…"|null}`: reports
  disposed to the city, oldest first; the cursor is opaque and only moves forward.
- `POST /reports/<id>/status`  `{"status", "aduan_status", "note", "tracking_code", "occurred_at"}`
- `POST /reports/<id>/answers` `{"answer", "tracking_code", "occurred_at"}`
- `POST /reports` `{"external_ref", "title", "text", "type", "location", "request", "answer_days"}` ->
  `{"id"}`: a complaint the city forwards to LAPOR! (a matter for another government);
  `/reports/external/<tracking code>/…` addresses it afterwards.

Pulling is done by the bridge (services/lapor_bridge.py) through `HttpsLapor`; pushes travel as outbound
messages on the `lapor` channel, so they are claimed before they are sent, retried with backoff and
recorded on the timeline like every notification (adapters/senders/lapor.py builds them here too).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import ValidationError

from aduan.adapters.senders.base import ProviderRequest, Reply, SendResult, http_failure, json_body
from aduan.models.lapor import LaporPage, LaporSettings

Operation = Literal["status", "answer", "submit"]
EXTERNAL = "aduan:"  # a report we submitted is addressed by our tracking code


class LaporUnavailable(Exception):
    """LAPOR! did not answer usefully (network, 5xx, a page we cannot read): try again next run."""


class LaporPort(Protocol):
    def pull(self, cursor: str | None) -> LaporPage:
        """The next page of reports disposed to the city after `cursor` (None: from the beginning)."""

    def push_status(self, report: str, status: str, document: dict[str, Any]) -> SendResult:
        """Tell LAPOR! that report `report` moved (`status` in its words: logic/forwarding.lapor_status)."""

    def push_answer(self, report: str, document: dict[str, Any]) -> SendResult:
        """Give LAPOR! the answer to report `report` (its reporter reads it there)."""

    def submit(self, document: dict[str, Any]) -> SendResult:
        """File a complaint we forward to LAPOR!; `provider_message_id` is LAPOR!'s id for it."""


def report_path(report: str) -> str:
    if report.startswith(EXTERNAL):
        return "/reports/external/" + urllib.parse.quote(report[len(EXTERNAL):], safe="")
    return "/reports/" + urllib.parse.quote(report, safe="")


@dataclass(frozen=True)
class LaporApi:
    """Builds the assumed API's requests and reads its replies; pure."""

    base_url: str
    token: str
    timeout: float

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> ProviderRequest:
        return ProviderRequest(
            provider="lapor", method=method, url=self.base_url + path,
            headers={"Accept": "application/json", **({"Content-Type": "application/json"} if body else {})},
            body=json_body(body) if body is not None else "",
            secret_headers={"Authorization": f"Bearer {self.token}"}, timeout=self.timeout)

    def pull_request(self, cursor: str | None, limit: int) -> ProviderRequest:
        query = urllib.parse.urlencode({**({"cursor": cursor} if cursor else {}), "limit": limit})
        return self._request("GET", f"/reports?{query}")

    def push_request(self, operation: Operation, report: str, document: dict[str, Any]) -> ProviderRequest:
        if operation == "submit":
            return self._request("POST", "/reports", document)
        suffix = "/status" if operation == "status" else "/answers"
        return self._request("POST", report_path(report) + suffix, document)

    @staticmethod
    def read_page(reply: Reply) -> LaporPage:
        if reply.status != 200:
            raise LaporUnavailable(f"LAPOR! answered {reply.status or reply.error_code}: "
                                   f"{str(reply.body.get('message') or '')[:200]}")
        try:
            return LaporPage.model_validate(reply.body)
        except ValidationError as error:
            raise LaporUnavailable(f"a page of reports we cannot read: {error.errors()[:3]}") from None

    @staticmethod
    def read_push(reply: Reply) -> SendResult:
        if 200 <= reply.status < 300:
            found = reply.body.get("id")
            return SendResult("sent", provider_message_id=str(found) if found else None)
        text = reply.body.get("message") or reply.body.get("error")
        return http_failure(reply, frozenset(), reply.error_code, str(text) if text else None)


def api_for(settings: LaporSettings, token: str) -> LaporApi:
    return LaporApi(settings.base_url, token, settings.timeout_seconds)


@dataclass(frozen=True)
class HttpsLapor:
    """The port over HTTPS: the API's requests executed by a transport (dal/provider_transport.py)."""

    api: LaporApi
    page_size: int
    transport: Callable[[ProviderRequest], Reply]

    def pull(self, cursor: str | None) -> LaporPage:
        return self.api.read_page(self.transport(self.api.pull_request(cursor, self.page_size)))

    def push_status(self, report: str, status: str, document: dict[str, Any]) -> SendResult:
        return self._push("status", report, {**document, "status": status})

    def push_answer(self, report: str, document: dict[str, Any]) -> SendResult:
        return self._push("answer", report, document)

    def submit(self, document: dict[str, Any]) -> SendResult:
        return self._push("submit", "", document)

    def _push(self, operation: Operation, report: str, document: dict[str, Any]) -> SendResult:
        return self.api.read_push(self.transport(self.api.push_request(operation, report, document)))
