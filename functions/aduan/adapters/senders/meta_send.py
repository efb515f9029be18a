"""Messenger and Instagram through Meta's Send API: `POST https://graph.facebook.com/<version>/<page-id>/messages`
with `{"recipient": {"id": PSID|IGSID}, "messaging_type": …, "message": {"text": …}}`.

Inside the 24-hour window a proactive update is `messaging_type: "UPDATE"`; outside it Messenger allows
only tagged messages (`MESSAGE_TAG` + `ACCOUNT_UPDATE`), and Instagram nothing: that is a permanent
failure, so the citizen's next known channel is tried.
"""

from __future__ import annotations

from aduan.adapters.senders.base import (
    Credentials,
    ProviderRequest,
    Reply,
    SendContext,
    SendResult,
    choices_of,
    http_failure,
    within_window,
)
from aduan.adapters.senders.graph import graph_error, graph_request, messages_url
from aduan.models.outbound import OutboundMessage

# 551: person unavailable; 10: outside the allowed window / permission; 100: invalid recipient;
# 200: permissions; 2018001/2018108: no matching user / cannot message.
PERMANENT = frozenset({"551", "10", "100", "200", "2018001", "2018108", "2534022"})
LIMIT = 2000
QUICK_REPLIES = 13  # Meta's limit; titles of at most 20 characters


class _MetaSendSender:
    provider = "messenger"
    tag_outside_window: str | None = "ACCOUNT_UPDATE"

    def build(self, message: OutboundMessage, credentials: Credentials, context: SendContext) -> ProviderRequest:
        url = messages_url(credentials, self.provider, "page_id")
        content: dict[str, object] = {"text": message.text[:LIMIT]}
        buttons = choices_of(message, QUICK_REPLIES)
        if buttons:  # tapped, a quick reply comes back as `message.quick_reply.payload`
            content["quick_replies"] = [{"content_type": "text", "title": title, "payload": answer}
                                        for title, answer in buttons]
        body: dict[str, object] = {"recipient": {"id": message.recipient}, "message": content}
        if within_window(context.contact, context.now):
            body["messaging_type"] = "UPDATE"
        elif self.tag_outside_window:
            body.update(messaging_type="MESSAGE_TAG", tag=self.tag_outside_window)
        else:
            body["messaging_type"] = "UPDATE"  # Meta will refuse it (code 10): recorded, then fallback
        return graph_request(self.provider, url, body, credentials)

    def interpret(self, reply: Reply) -> SendResult:
        if 200 <= reply.status < 300 and reply.body.get("message_id"):
            return SendResult("sent", provider_message_id=str(reply.body["message_id"]))
        error = graph_error(reply)
        code = str(error.get("error_subcode") or error.get("code") or "") or None
        if code not in PERMANENT and error.get("code") is not None:
            code = str(error["code"])
        return http_failure(reply, PERMANENT, code, error.get("message"))


class MessengerSender(_MetaSendSender):
    provider = "messenger"


class InstagramSender(_MetaSendSender):
    provider = "instagram"
    tag_outside_window = None
