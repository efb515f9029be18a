"""WhatsApp Business Cloud API (Meta): `whatsapp_business_account` webhooks.

Each POST may carry several entries, changes and messages; `statuses` report on messages we sent.
Senders are phone digits without `+` (`from`), or for username users only a BSUID (`from_user_id`).
"""

from __future__ import annotations

from typing import Any

from aduan.adapters.channels.base import (
    MalformedPayload,
    Parsed,
    WebhookRequest,
    need,
    text_or_none,
    unix_time,
)
from aduan.adapters.channels.meta import MetaSigned, entries, json_body
from aduan.logic.clock import to_storage
from aduan.logic.identity import whatsapp_address
from aduan.logic.phone import to_e164
from aduan.models.inbound import DeliveryStatus, InboundMessage, MediaRef, SharedLocation, inbound_id
from aduan.models.ticket import Channel

MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
STATUSES = {"sent", "delivered", "read", "failed"}
# Message types that carry no complaint (logic/non_complaints.py answers them): a shared contact card, a
# catalogue order, a type Meta cannot show us. A `reaction` (an emoji on an earlier message, typically a 👍 on
# our reply) stays unanswered: prompting "describe the problem" would answer a thank-you with a question.
NOT_COMPLAINTS = {"contacts": "contacts", "order": "order", "unsupported": "unsupported"}


class WhatsAppAdapter(MetaSigned):
    name = "whatsapp"

    def parse(self, request: WebhookRequest, raw_key: str) -> Parsed:
        parsed = Parsed()
        for entry in entries(json_body(request), "whatsapp_business_account"):
            for change in entry.get("changes") or []:
                if not isinstance(change, dict) or change.get("field") != "messages":
                    parsed.ignored += 1
                    continue
                value = need(change, "value")
                names = _profile_names(value.get("contacts") or [])
                for message in value.get("messages") or []:
                    parsed.messages.append(self._message(message, names, request, raw_key))
                for status in value.get("statuses") or []:
                    parsed.statuses.append(_status(status))
        return parsed

    def _message(self, message: dict[str, Any], names: dict[str, str], request: WebhookRequest,
                 raw_key: str) -> InboundMessage:
        wamid = need(message, "id")
        phone = message.get("from")
        user_id = message.get("from_user_id")
        sender = whatsapp_address(str(phone)) if phone else None
        if sender is None and user_id:
            sender = whatsapp_address(str(user_id)) or str(user_id)
        if sender is None:
            raise MalformedPayload(f"message {wamid} has no sender")
        kind = message.get("type")
        text = None
        media: list[MediaRef] = []
        location = None
        if kind == "text":
            text = text_or_none((message.get("text") or {}).get("body"))
        elif kind in MEDIA_TYPES:
            body = need(message, kind)
            text = text_or_none(body.get("caption"))
            media.append(MediaRef(kind=kind, ref=str(need(body, "id")), mime_type=body.get("mime_type"),
                                  sha256=body.get("sha256"), filename=body.get("filename")))
        elif kind == "location":
            place = need(message, "location")
            location = SharedLocation(lat=float(need(place, "latitude")), lon=float(need(place, "longitude")),
                                      name=place.get("name"), address=place.get("address"))
        elif kind in ("button", "interactive"):
            text = text_or_none((message.get("button") or {}).get("text")) or _interactive_title(message)
        extra = {key: str(value) for key, value in (("wa_id", phone), ("user_id", user_id),
                                                    ("payload", _button_payload(message)),
                                                    ("kind", NOT_COMPLAINTS.get(str(kind)))) if value}
        return InboundMessage(
            id=inbound_id(self.name, wamid), channel=Channel.WHATSAPP, provider=self.name,
            provider_message_id=wamid, sender=sender, sender_name=names.get(str(phone or user_id)),
            text=text, media=media, location=location,
            in_reply_to=(message.get("context") or {}).get("id"),
            sent_at=unix_time(need(message, "timestamp")), received_at=to_storage(request.received_at),
            raw_key=raw_key, extra=extra,
        )


def _profile_names(contacts: list[Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for contact in contacts:
        if not isinstance(contact, dict):
            continue
        name = (contact.get("profile") or {}).get("name")
        for key in ("wa_id", "user_id"):
            if name and contact.get(key):
                names[str(contact[key])] = str(name)
    return names


def _interactive_title(message: dict[str, Any]) -> str | None:
    interactive = message.get("interactive") or {}
    reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
    return text_or_none(reply.get("title"))


def _button_payload(message: dict[str, Any]) -> str | None:
    """The id of a tapped reply button (`interactive.button_reply.id`, `list_reply.id`) or a template's
    quick-reply button (`button.payload`)."""
    interactive = message.get("interactive") or {}
    reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
    found = reply.get("id") or (message.get("button") or {}).get("payload")
    return str(found) if found else None


def _status(status: Any) -> DeliveryStatus:
    state = need(status, "status")
    if state not in STATUSES:
        raise MalformedPayload(f"unknown status {state!r}")
    errors = status.get("errors") or [{}]
    first = errors[0] if isinstance(errors[0], dict) else {}
    recipient = status.get("recipient_id")
    return DeliveryStatus(
        channel=Channel.WHATSAPP, provider_message_id=str(need(status, "id")), status=state,
        error_code=str(first["code"]) if first.get("code") is not None else None,
        error_title=first.get("title"), occurred_at=unix_time(need(status, "timestamp")),
        recipient=to_e164(str(recipient), country_code="") if recipient else None,
        reference=str(status["biz_opaque_callback_data"])[:512] if status.get("biz_opaque_callback_data") else None,
    )
