"""Pushes to SP4N-LAPOR! as outbound messages: a status change, an answer, or a complaint the city
forwards to it. The notifier puts the operation and its document in `data.lapor`
(logic/forwarding.py); the requests are the assumed API's (adapters/lapor.py)."""

from __future__ import annotations

from aduan.adapters.lapor import LaporApi
from aduan.adapters.senders.base import Credentials, ProviderRequest, Reply, SendContext, SendResult
from aduan.models.outbound import OutboundMessage


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
