"""SP4N-LAPOR!: the port a bridge needs, and the HTTPS adapter behind it.

LAPOR!'s integration API is not public, so the requests are ASSUMED (docs/lapor.md says what the public
sources describe and what each assumption is). They are built in one place, `LaporApi`
(adapters/senders/lapor.py), so mapping them onto the real API is one class's change. The assumed API,
under the configured `base_url`, with `Authorization: Bearer <token>` on every call:

- `GET  /reports?cursor=<c>&limit=<n>` -> `{"reports": [LaporReport…], "next_cursor": "…"|null}`: reports
  disposed to the city, oldest first; the cursor is opaque and only moves forward.
- `POST /reports/<id>/status`  `{"status", "aduan_status", "note", "tracking_code", "occurred_at"}`
- `POST /reports/<id>/answers` `{"answer", "tracking_code", "occurred_at"}`
- `POST /reports` `{"external_ref", "title", "text", "type", "location", "request", "answer_days"}` ->
  `{"id"}`: a complaint the city forwards to LAPOR! (a matter for another government);
  `/reports/external/<tracking code>/…` addresses it afterwards.

Pulling is done by the bridge (services/lapor_bridge.py) through `HttpsLapor`; pushes travel as outbound
messages on the `lapor` channel, so they are claimed before they are sent, retried with backoff and
recorded on the timeline like every notification (`LaporSender`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aduan.adapters.senders.base import ProviderRequest, Reply, SendResult
from aduan.adapters.senders.lapor import LaporApi, Operation
from aduan.models.lapor import LaporPage


class LaporPort(Protocol):
    def pull(self, cursor: str | None) -> LaporPage:
        """The next page of reports disposed to the city after `cursor` (None: from the beginning)."""

    def push_status(self, report: str, status: str, document: dict[str, Any]) -> SendResult:
        """Tell LAPOR! that report `report` moved (`status` in its words: logic/forward_messages.lapor_status)."""

    def push_answer(self, report: str, document: dict[str, Any]) -> SendResult:
        """Give LAPOR! the answer to report `report` (its reporter reads it there)."""

    def submit(self, document: dict[str, Any]) -> SendResult:
        """File a complaint we forward to LAPOR!; `provider_message_id` is LAPOR!'s id for it."""


@dataclass(frozen=True)
class HttpsLapor:
    """The port over HTTPS: the API's requests executed by a transport (adapters/provider_transport.py)."""

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
