"""Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded
`To`, `From` (or `MessagingServiceSid`), `Body`, optional `StatusCallback`; HTTP Basic auth.

WhatsApp through Twilio uses the same endpoint with `whatsapp:`-prefixed `To`/`From`. Free-form `Body`
is accepted only inside the 24-hour window; outside it Twilio needs an approved Content template
(`ContentSid` + `ContentVariables`, a JSON object keyed "1", "2", … in the template's order)."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

from aduan.adapters.senders.base import (
    Credentials,
    ProviderRequest,
    Reply,
    SendContext,
    SendResult,
    http_failure,
    within_window,
)
from aduan.logic.identity import twilio_whatsapp
from aduan.models.outbound import OutboundMessage
from aduan.models.ticket import Channel

API = "https://api.twilio.com/2010-04-01"
LIMIT = 1600
# Invalid 'To', unsubscribed (the citizen texted STOP to Twilio), not a mobile number, region not enabled,
# unreachable/blocked carrier errors; WhatsApp: outside the window (63016), not a WhatsApp user (63003).
PERMANENT = frozenset({"21211", "21610", "21614", "21408", "21612", "30003", "30004", "30005", "30006", "30007",
                       "63016", "63003"})


class TwilioSmsSender:
    provider = "twilio"

    def build(self, message: OutboundMessage, credentials: Credentials, context: SendContext) -> ProviderRequest:
        sid = credentials.get("account_sid", self.provider)
        token = credentials.get("auth_token", self.provider)
        whatsapp = message.channel == Channel.WHATSAPP
        form = {"To": twilio_whatsapp(message.recipient) if whatsapp else message.recipient}
        form.update(_whatsapp_content(message, credentials, context) if whatsapp
                    else {"Body": message.text[:LIMIT]})
        if whatsapp:
            form["From"] = twilio_whatsapp(credentials.values.get("whatsapp_from")
                                           or credentials.get("from_number", self.provider))
        elif credentials.values.get("messaging_service_sid"):
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


def _whatsapp_content(message: OutboundMessage, credentials: Credentials, context: SendContext) -> dict[str, str]:
    """Inside the window: the text; outside: the approved Content template with its variables."""
    if within_window(context.contact, context.now):
        return {"Body": message.text[:LIMIT]}
    template = context.whatsapp_template
    content_sid = credentials.values.get("whatsapp_content_sid")
    if template is None or not content_sid:
        raise KeyError("no approved Twilio WhatsApp content template (whatsapp_content_sid) for outside the window")
    values = message.data.get("template_values") or {}
    variables = {str(index): str(values.get(name, "-"))[:1024] or "-"
                 for index, name in enumerate(template.parameters, start=1)}
    return {"ContentSid": content_sid, "ContentVariables": json.dumps(variables, ensure_ascii=False)}
