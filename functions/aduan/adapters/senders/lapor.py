"""SP4N-LAPOR!'s assumed integration API (adapters/lapor.py describes it), and pushes to it as outbound
messages: a status change, an answer, or a complaint the city forwards to it. The notifier puts the
operation and its document in `data.lapor` (logic/forward_messages.py)."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from aduan.adapters.senders.base import (
    Credentials,
    ProviderRequest,
    Reply,
    SendContext,
    SendResult,
    http_failure,
    json_body,
)
from aduan.models.lapor import LaporPage, LaporSettings
from aduan.models.outbound import OutboundMessage

Operation = Literal["status", "answer", "submit"]
EXTERNAL = "aduan:"  # a report we submitted is addressed by our tracking code


class LaporUnavailable(Exception):
    """LAPOR! did not answer usefully (network, 5xx, a page we cannot read): try again next run."""


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




class LaporSender:
    provider = "lapor"

    def build(self, message: OutboundMessage, credentials: Credentials, context: SendContext) -> ProviderRequest:
        push = message.data.get("lapor")
        if not isinstance(push, dict) or push.get("operation") not in ("status", "answer", "submit"):
            raise ValueError("a LAPOR! push needs data.lapor {operation, report, document, base_url}")
        token = credentials.get("token", str(message.data.get("secret") or self.provider))
        api = LaporApi(str(push["base_url"]), token, float(push.get("timeout") or 10))
        return api.push_request(push["operation"], str(push.get("report") or ""), dict(push["document"]))

    def interpret(self, reply: Reply) -> SendResult:
        return LaporApi.read_push(reply)
