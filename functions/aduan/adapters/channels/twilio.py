"""Twilio Programmable Messaging webhooks (SMS, MMS and WhatsApp via Twilio).

`X-Twilio-Signature = base64(HMAC-SHA1(auth token, full URL + every POST param name+value, sorted by
name))`. The URL is the public one Twilio called (configured: custom domains change it), tried with
and without an explicit default port as Twilio's own SDKs do. All params are signed, blank ones too.
Delivery status callbacks come to the same URL with `MessageStatus`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit, urlunsplit

from aduan.adapters.channels.base import (
    MalformedPayload,
    Parsed,
    Reply,
    Secrets,
    SignatureInvalid,
    WebhookRequest,
    require_secret,
    same,
)
from aduan.logic.clock import to_storage
from aduan.logic.identity import bare, whatsapp_address
from aduan.logic.phone import DEFAULT_COUNTRY_CODE, to_e164
from aduan.models.inbound import DeliveryStatus, InboundMessage, MediaRef, SharedLocation, inbound_id
from aduan.models.ticket import Channel

MAX_MEDIA = 10
STATUS_MAP = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed", "undelivered": "failed"}
MEDIA_KINDS = {"image": "image", "video": "video", "audio": "audio"}


def signature(auth_token: str, url: str, pairs: list[tuple[str, str]]) -> str:
    values: dict[str, set[str]] = {}
    for key, value in pairs:
        values.setdefault(key, set()).add(value)
    payload = url + "".join(key + value for key in sorted(values) for value in sorted(values[key]))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def url_variants(url: str) -> list[str]:
    """The URL as configured, and with the default port added or removed."""
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    with_port = urlunsplit(parts._replace(netloc=f"{host}:{parts.port or default}"))
    without_port = urlunsplit(parts._replace(netloc=host)) if parts.port in (None, default) else url
    return list(dict.fromkeys([url, with_port, without_port]))


class TwilioAdapter:
    name = "twilio"

    def handshake(self, request: WebhookRequest, secrets: Secrets) -> Reply | None:
        return None

    def verify(self, request: WebhookRequest, secrets: Secrets) -> None:
        given = request.header("x-twilio-signature")
        if not given:
            raise SignatureInvalid("X-Twilio-Signature is missing")
        token = require_secret(secrets, "auth_token")
        if not any(same(signature(token, url, request.form_pairs), given) for url in url_variants(request.public_url)):
            raise SignatureInvalid("X-Twilio-Signature does not match the URL and parameters")

    def parse(self, request: WebhookRequest, raw_key: str) -> Parsed:
        params = dict(request.form_pairs)
        sid = params.get("MessageSid") or params.get("SmsMessageSid")
        sender = params.get("From")
        if not sid or not sender:
            raise MalformedPayload("MessageSid and From are required")
        channel = Channel.WHATSAPP if sender.startswith("whatsapp:") else Channel.SMS
        state = params.get("MessageStatus") or params.get("SmsStatus")
        if state in STATUS_MAP and "Body" not in params:
            return Parsed(statuses=[DeliveryStatus(
                channel=channel, provider_message_id=sid, status=STATUS_MAP[state],
                error_code=params.get("ErrorCode") or None, error_title=params.get("ErrorMessage") or None,
                occurred_at=to_storage(request.received_at),
                recipient=to_e164(params.get("To", "")))])
        if "Body" not in params and not params.get("NumMedia"):
            return Parsed(ignored=1)
        address = _address(channel, sender, params.get("ExternalUserId"))
        return Parsed(messages=[InboundMessage(
            id=inbound_id(self.name, sid), channel=channel, provider=self.name, provider_message_id=sid,
            sender=address, sender_name=params.get("ProfileName") or None,
            text=(params.get("Body") or "").strip() or None, media=_media(params), location=_location(params),
            in_reply_to=params.get("OriginalRepliedMessageSid") or None,
            received_at=to_storage(request.received_at), raw_key=raw_key,
            extra={**{key: params[key] for key in ("AccountSid", "To", "WaId") if params.get(key)},
                   # A tapped WhatsApp quick-reply button: its id (our answers, logic/feedback.py).
                   **({"payload": params["ButtonPayload"]} if params.get("ButtonPayload") else {}),
                   # Nothing in it (an empty SMS, a WhatsApp reaction): answered with a prompt, not filed.
                   **({"kind": "empty"} if not _has_content(params) else {})},
        )])


def _address(channel: Channel, sender: str, external_user_id: str | None) -> str:
    """One normalised identity: E.164 for phones; for WhatsApp username users the bare BSUID, whether
    Twilio wrote it into `From` (`whatsapp:US.…`) or only into `ExternalUserId`."""
    if channel == Channel.WHATSAPP:
        for candidate in (sender, external_user_id or ""):
            address = whatsapp_address(candidate, country_code=DEFAULT_COUNTRY_CODE)
            if address:
                return address
        return bare(sender)
    return to_e164(sender) or sender


def _has_content(params: dict[str, str]) -> bool:
    return bool((params.get("Body") or "").strip() or params.get("ButtonPayload") or params.get("Latitude")
                or (params.get("NumMedia") or "0") != "0")


def _media(params: dict[str, str]) -> list[MediaRef]:
    try:
        count = min(int(params.get("NumMedia") or 0), MAX_MEDIA)
    except ValueError:
        raise MalformedPayload("NumMedia is not a number") from None
    found = []
    for index in range(count):
        url = params.get(f"MediaUrl{index}")
        if not url:
            raise MalformedPayload(f"MediaUrl{index} is missing")
        mime = params.get(f"MediaContentType{index}") or "application/octet-stream"
        found.append(MediaRef(kind=MEDIA_KINDS.get(mime.split("/")[0], "document"),
                              ref=url, mime_type=mime))
    return found


def _location(params: dict[str, str]) -> SharedLocation | None:
    if not params.get("Latitude") or not params.get("Longitude"):
        return None
    try:
        return SharedLocation(lat=float(params["Latitude"]), lon=float(params["Longitude"]),
                              name=params.get("Label") or None, address=params.get("Address") or None)
    except ValueError:
        raise MalformedPayload("Latitude/Longitude are not numbers") from None
