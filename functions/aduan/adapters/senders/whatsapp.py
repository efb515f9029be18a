"""WhatsApp Cloud API: `POST https://graph.facebook.com/<version>/<phone-number-id>/messages`.

Free-form text is allowed only inside the 24-hour customer-service window that opens with the citizen's
last message (`contact.last_inbound_at`); outside it Meta accepts only a pre-approved template message,
so the update is sent through the configured template with its body parameters.
"""

from __future__ import annotations

import re

from aduan.adapters.senders.base import (
    Credentials,
    ProviderRequest,
    Reply,
    SendContext,
    SendResult,
    choices_of,
    http_failure,
    retry_after_of,
    within_window,
)
from aduan.adapters.senders.graph import graph_error, graph_request, messages_url
from aduan.models.outbound import OutboundMessage

# Meta error codes after which the same request will not succeed (undeliverable, outside the window,
# bad parameters, unknown template, number not on WhatsApp).
PERMANENT = frozenset({"131026", "131047", "131051", "131008", "131009", "132000", "132001", "132012",
                       "133010", "131021", "100"})
# Throttling and Meta-side trouble arrive as HTTP 400 too: these codes are worth retrying.
TRANSIENT = frozenset({"130429", "131048", "131056", "131000", "1", "2", "4", "80007", "133004"})
REPLY_BUTTONS = 3
_SPACES = re.compile(r"\s+")


def template_parameter(value: object) -> str:
    """Template parameters may not contain newlines, tabs or runs of spaces."""
    return _SPACES.sub(" ", str(value)).strip()[:1024] or "-"


class WhatsAppSender:
    provider = "whatsapp"

    def build(self, message: OutboundMessage, credentials: Credentials, context: SendContext) -> ProviderRequest:
        url = messages_url(credentials, self.provider, "phone_number_id")
        body: dict[str, object] = {"messaging_product": "whatsapp", "recipient_type": "individual",
                                   "to": message.recipient}
        buttons = choices_of(message, REPLY_BUTTONS)
        if within_window(context.contact, context.now) and buttons:
            # Interactive reply buttons (at most 3, titles of at most 20 characters); the reply comes back
            # as an `interactive.button_reply` with the button's id.
            body.update(type="interactive", interactive={
                "type": "button", "body": {"text": message.text[:1024]},
                "action": {"buttons": [{"type": "reply", "reply": {"id": answer, "title": title}}
                                       for title, answer in buttons]}})
        elif within_window(context.contact, context.now):
            body.update(type="text", text={"preview_url": False, "body": message.text})
        else:
            template = context.whatsapp_template
            if template is None:
                raise KeyError("no approved WhatsApp template is configured for messages outside the window")
            values = message.data.get("template_values") or {}
            body.update(type="template", template={
                "name": template.name,
                "language": {"code": template.languages.get(message.language, message.language)},
                "components": [{"type": "body", "parameters": [
                    {"type": "text", "text": template_parameter(values.get(name, "-"))}
                    for name in template.parameters]}],
            })
        if message.reply_to_provider_message_id and body["type"] == "text":
            body["context"] = {"message_id": message.reply_to_provider_message_id}
        if context.reference:
            # Meta returns it in every status webhook of this message: the status is logged with no lookup.
            body["biz_opaque_callback_data"] = context.reference[:512]
        return graph_request(self.provider, url, body, credentials)

    def interpret(self, reply: Reply) -> SendResult:
        if 200 <= reply.status < 300 and reply.body.get("messages"):
            return SendResult("sent", provider_message_id=str(reply.body["messages"][0].get("id")))
        error = graph_error(reply)
        code = str(error["code"]) if "code" in error else None
        if code in TRANSIENT:
            return SendResult("transient", error_code=code, error=error.get("message"),
                              retry_after=retry_after_of(reply))
        return http_failure(reply, PERMANENT, code, error.get("message") or error.get("error_user_msg"))
