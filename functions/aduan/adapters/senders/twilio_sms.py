"""Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded
`To`, `From` (or `MessagingServiceSid`), `Body`, optional `StatusCallback`; HTTP Basic auth."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from aduan.adapters.senders.base import Credentials, ProviderRequest, Reply, SendContext, SendResult, http_failure
from aduan.models.outbound import OutboundMessage

API = "https://api.twilio.com/2010-04-01"
LIMIT = 1600
# Invalid 'To', unsubscribed (the citizen texted STOP to Twilio), not a mobile number, region not enabled,
# unreachable/blocked carrier errors.
PERMANENT = frozenset({"21211", "21610", "21614", "21408", "21612", "30003", "30004", "30005", "30006", "30007"})


class TwilioSmsSender:
    provider = "twilio"

    def build(self, message: OutboundMessage, credentials: Credentials, context: SendContext) -> ProviderRequest:
        sid = credentials.get("account_sid", self.provider)
        token = credentials.get("auth_token", self.provider)
        form = {"To": message.recipient, "Body": message.text[:LIMIT]}
        if credentials.values.get("messaging_service_sid"):
            form["MessagingServiceSid"] = credentials.values["messaging_service_sid"]
        else:
            form["From"] = credentials.get("from_number", self.provider)
        if credentials.values.get("status_callback_url"):
            form["StatusCallback"] = credentials.values["status_callback_url"]
        basic = base64.b64encode(f"{sid}:{token}".encode()).decode()
        return ProviderRequest(
            provider=self.provider, method="POST", url=f"{API}/Accounts/{sid}/Messages.json",
            headers={"Content-Type": "application/x-www-form-urlencoded"}, body=urlencode(form),
            secret_headers={"Authorization": f"Basic {basic}"},
        )

    def interpret(self, reply: Reply) -> SendResult:
        if 200 <= reply.status < 300 and reply.body.get("sid"):
            return SendResult("sent", provider_message_id=str(reply.body["sid"]))
        code = str(reply.body["code"]) if reply.body.get("code") else None
        return http_failure(reply, PERMANENT, code, reply.body.get("message"))
