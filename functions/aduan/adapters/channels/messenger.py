"""Facebook Messenger and Instagram Messaging webhooks: the Meta scheme (see meta.py) with
`object: page|instagram` and `entry[].messaging[]` events. Echoes of our own messages, reads and
reactions are not complaints; `delivery` events report on messages we sent."""

from __future__ import annotations

from typing import Any

from aduan.adapters.channels.base import Parsed, WebhookRequest, need, text_or_none, unix_time
from aduan.adapters.channels.meta import MetaSigned, entries, json_body
from aduan.logic.clock import to_storage
from aduan.models.inbound import DeliveryStatus, InboundMessage, MediaRef, SharedLocation, inbound_id
from aduan.models.ticket import Channel

MEDIA_KINDS = {"image": "image", "video": "video", "audio": "audio", "file": "document"}


# Attachments that are no complaint (logic/non_complaints.py answers them): Instagram story mentions and
# shares, stickers-as-likes.
UNSUPPORTED = {"story_mention": "story_mention", "ig_reel": "unsupported", "share": "unsupported",
               "template": "unsupported", "fallback": "unsupported"}


class MessengerAdapter(MetaSigned):
    def __init__(self, channel: Channel, expected_object: str) -> None:
        self.channel = channel
        self.name = channel.value
        self.expected_object = expected_object

    def parse(self, request: WebhookRequest, raw_key: str) -> Parsed:
        parsed = Parsed()
        for entry in entries(json_body(request), self.expected_object):
            for event in entry.get("messaging") or []:
                if not isinstance(event, dict):
                    parsed.ignored += 1
                    continue
                message = event.get("message")
                if isinstance(message, dict) and not message.get("is_echo"):
                    parsed.messages.append(self._message(event, message, request, raw_key))
                elif isinstance(event.get("delivery"), dict):
                    parsed.statuses += self._deliveries(event)
                else:
                    parsed.ignored += 1
        return parsed

    def _message(self, event: dict[str, Any], message: dict[str, Any], request: WebhookRequest,
                 raw_key: str) -> InboundMessage:
        mid = str(need(message, "mid"))
        media, location, unsupported = [], None, None
        for attachment in message.get("attachments") or []:
            payload = attachment.get("payload") or {}
            kind = attachment.get("type")
            if kind in UNSUPPORTED:
                unsupported = UNSUPPORTED[kind]
            if payload.get("sticker_id"):  # the thumbs-up "like" and other stickers arrive as images
                unsupported = "sticker"
                continue
            if kind == "location" and isinstance(payload.get("coordinates"), dict):
                point = payload["coordinates"]
                location = SharedLocation(lat=float(need(point, "lat")), lon=float(need(point, "long")),
                                          name=attachment.get("title"))
            elif kind in MEDIA_KINDS and payload.get("url"):
                media.append(MediaRef(kind=MEDIA_KINDS[kind], ref=str(payload["url"])))
        return InboundMessage(
            id=inbound_id(self.name, mid), channel=self.channel, provider=self.name, provider_message_id=mid,
            sender=str(need(need(event, "sender"), "id")), text=text_or_none(message.get("text")),
            media=media, location=location, in_reply_to=(message.get("reply_to") or {}).get("mid"),
            sent_at=unix_time(int(need(event, "timestamp")) / 1000), received_at=to_storage(request.received_at),
            raw_key=raw_key, extra={"recipient_id": str((event.get("recipient") or {}).get("id", "")),
                                    **_quick_reply(message), **({"kind": unsupported} if unsupported else {})},
        )

    def _deliveries(self, event: dict[str, Any]) -> list[DeliveryStatus]:
        delivery = event["delivery"]
        moment = unix_time(int(delivery.get("watermark") or event.get("timestamp") or 0) / 1000)
        return [DeliveryStatus(channel=self.channel, provider_message_id=str(mid), status="delivered",
                               occurred_at=moment, recipient=str((event.get("sender") or {}).get("id") or "") or None)
                for mid in delivery.get("mids") or []]


def _quick_reply(message: dict[str, Any]) -> dict[str, str]:
    """A tapped quick reply: its payload (our answer buttons, logic/feedback.py)."""
    chosen = (message.get("quick_reply") or {}).get("payload")
    return {"payload": str(chosen)} if chosen else {}
