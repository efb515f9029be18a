"""A forward to a body outside the city government by HTTPS webhook: the JSON document the notifier
built (`data.payload`), POSTed to the body's URL (`data.url`) and signed with its key.

Headers (docs/organisation.md#forwarding-by-webhook):
`X-Aduan-Event: complaint.forwarded`, `X-Aduan-Delivery: <message id>` (the same on every retry, so the
body can drop a repeat), `X-Aduan-Timestamp: <unix seconds>` and
`X-Aduan-Signature: sha256=<hex HMAC-SHA256(key, "<timestamp>.<raw body>")>` — the scheme the body's own
answer callback uses towards us (logic/forwarding.py).
"""

from __future__ import annotations

from aduan.adapters.senders.base import (
    Credentials,
    ProviderRequest,
    Reply,
    SendContext,
    SendResult,
    http_failure,
    json_body,
)
from aduan.logic.forwarding import sign
from aduan.models.outbound import OutboundMessage

EVENT = "complaint.forwarded"


class WebhookSender:
    provider = "webhook"

    def build(self, message: OutboundMessage, credentials: Credentials, context: SendContext) -> ProviderRequest:
        url, payload = message.data.get("url"), message.data.get("payload")
        if not url or not isinstance(payload, dict):
            raise ValueError("a webhook forward needs data.url and data.payload")
        key = credentials.get("signing_key", str(message.data.get("secret") or self.provider))
        body = json_body(payload)
        stamp = str(int(context.now.timestamp()))
        return ProviderRequest(
            provider=self.provider, method="POST", url=str(url), body=body,
            headers={"Content-Type": "application/json", "User-Agent": "Aduan-Forwarding/1",
                     "X-Aduan-Event": EVENT, "X-Aduan-Delivery": message.id, "X-Aduan-Timestamp": stamp,
                     "X-Aduan-Signature": sign(key.encode(), stamp, body.encode())},
            timeout=float(message.data.get("timeout") or 0) or None)

    def interpret(self, reply: Reply) -> SendResult:
        if 200 <= reply.status < 300:
            reference = reply.body.get("reference") or reply.body.get("id")
            return SendResult("sent", provider_message_id=str(reference) if reference else None)
        message = reply.body.get("message") or reply.body.get("error")
        return http_failure(reply, frozenset(), reply.error_code, str(message) if message else None)
