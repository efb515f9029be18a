"""Telegram Bot API webhooks: one `Update` per POST, authenticated by the secret token header
(`X-Telegram-Bot-Api-Secret-Token`, set with setWebhook's `secret_token`); there is no body signature."""

from __future__ import annotations

from typing import Any

from aduan.adapters.channels.base import (
    Parsed,
    Reply,
    Secrets,
    SignatureInvalid,
    WebhookRequest,
    need,
    require_secret,
    same,
    text_or_none,
    unix_time,
)
from aduan.adapters.channels.meta import json_body
from aduan.logic.clock import to_storage
from aduan.models.inbound import InboundMessage, MediaRef, SharedLocation, inbound_id
from aduan.models.ticket import Channel

FILE_KINDS = (("document", "document"), ("video", "video"), ("voice", "audio"), ("audio", "audio"))


class TelegramAdapter:
    name = "telegram"

    def handshake(self, request: WebhookRequest, secrets: Secrets) -> Reply | None:
        return None

    def verify(self, request: WebhookRequest, secrets: Secrets) -> None:
        given = request.header("x-telegram-bot-api-secret-token")
        if not given:
            raise SignatureInvalid("X-Telegram-Bot-Api-Secret-Token is missing", status=403)
        if not same(require_secret(secrets, "secret_token"), given):
            raise SignatureInvalid("X-Telegram-Bot-Api-Secret-Token does not match", status=403)

    def parse(self, request: WebhookRequest, raw_key: str) -> Parsed:
        update = json_body(request)
        update_id = need(update, "update_id")
        if isinstance(update.get("callback_query"), dict):
            return self._callback(update["callback_query"], update_id, request, raw_key)
        message = update.get("message")
        if not isinstance(message, dict):
            # edited_message, channel_post, callback_query, my_chat_member…: not complaints.
            return Parsed(ignored=1)
        sender = need(message, "from")
        if sender.get("is_bot"):
            return Parsed(ignored=1)
        chat = need(message, "chat")
        return Parsed(messages=[InboundMessage(
            id=inbound_id(self.name, f"{chat.get('id')}:{need(message, 'message_id')}"),
            channel=Channel.TELEGRAM, provider=self.name, provider_message_id=str(update_id),
            sender=str(need(sender, "id")), sender_name=_name(sender), reply_to=str(need(chat, "id")),
            text=text_or_none(message.get("text")) or text_or_none(message.get("caption")),
            media=_media(message), location=_location(message),
            in_reply_to=str((message.get("reply_to_message") or {}).get("message_id") or "") or None,
            sent_at=unix_time(need(message, "date")), received_at=to_storage(request.received_at),
            raw_key=raw_key,
            extra={key: str(value) for key, value in (("username", sender.get("username")),
                                                      ("media_group_id", message.get("media_group_id")),
                                                      ("kind", _not_complaint(message))) if value},
        )])

    def _callback(self, query: dict[str, Any], update_id: object, request: WebhookRequest, raw_key: str) -> Parsed:
        """A tap on one of our inline-keyboard buttons: its `data` is the answer; the query's id is kept so
        the reply can answer it (answerCallbackQuery). Needs `callback_query` in setWebhook's allowed_updates."""
        sender = need(query, "from")
        data = text_or_none(query.get("data"))
        if sender.get("is_bot") or not data:
            return Parsed(ignored=1)
        chat = (query.get("message") or {}).get("chat") or {}
        return Parsed(messages=[InboundMessage(
            id=inbound_id(self.name, f"callback:{need(query, 'id')}"), channel=Channel.TELEGRAM,
            provider=self.name, provider_message_id=str(update_id), sender=str(need(sender, "id")),
            sender_name=_name(sender), reply_to=str(chat.get("id") or need(sender, "id")), text=data,
            received_at=to_storage(request.received_at), raw_key=raw_key,
            extra={"payload": data, "callback_query_id": str(need(query, "id"))},
        )])


def _not_complaint(message: dict[str, Any]) -> str | None:
    """A sticker, a shared contact or a poll/dice/game: nothing to file (logic/non_complaints.py)."""
    if "sticker" in message:
        return "sticker"
    if "contact" in message:
        return "contacts"
    return "unsupported" if any(field in message for field in ("poll", "dice", "game", "invoice")) else None


def _name(user: dict[str, Any]) -> str | None:
    parts = [user.get("first_name"), user.get("last_name")]
    return " ".join(str(part) for part in parts if part) or None


def _media(message: dict[str, Any]) -> list[MediaRef]:
    found: list[MediaRef] = []
    photos = message.get("photo")
    if isinstance(photos, list) and photos:
        largest = photos[-1]  # PhotoSize list, smallest first
        found.append(MediaRef(kind="image", ref=str(need(largest, "file_id")), mime_type="image/jpeg",
                              size_bytes=largest.get("file_size")))
    for field, kind in FILE_KINDS:
        item = message.get(field)
        if isinstance(item, dict):
            found.append(MediaRef(kind=kind, ref=str(need(item, "file_id")),
                                  mime_type=item.get("mime_type"), filename=item.get("file_name"),
                                  size_bytes=item.get("file_size")))
    return found


def _location(message: dict[str, Any]) -> SharedLocation | None:
    venue = message.get("venue") if isinstance(message.get("venue"), dict) else None
    place = (venue or {}).get("location") or message.get("location")
    if not isinstance(place, dict):
        return None
    return SharedLocation(lat=float(need(place, "latitude")), lon=float(need(place, "longitude")),
                          name=(venue or {}).get("title"), address=(venue or {}).get("address"))
