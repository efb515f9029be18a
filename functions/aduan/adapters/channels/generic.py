"""A generic signed JSON webhook for other gateways: local SMS gateways, the national LAPOR! bridge,
face-to-face desk tools. Each integration has its own secret (`generic.integrations.<name>`).

Headers: `X-Aduan-Integration: <name>`, `X-Aduan-Timestamp: <unix seconds>`,
`X-Aduan-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. The timestamp must be
within five minutes, so a captured request cannot be replayed later.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError

from aduan.adapters.channels.base import (
    MalformedPayload,
    Parsed,
    Reply,
    Secrets,
    SignatureInvalid,
    WebhookRequest,
    hmac_hex,
    same,
)
from aduan.logic.clock import to_storage
from aduan.logic.phone import to_e164
from aduan.models.base import Model
from aduan.models.inbound import InboundMessage, MediaRef, SharedLocation, inbound_id
from aduan.models.ticket import Channel

TOLERANCE_SECONDS = 300
PHONE_CHANNELS = {"sms", "phone", "whatsapp"}


class GenericSender(Model):
    model_config = ConfigDict(extra="forbid")
    address: str = Field(min_length=1, max_length=320, description="phone (E.164 or national), email or an id")
    name: str | None = Field(default=None, max_length=200)


class GenericMedia(Model):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(pattern=r"^https://", max_length=2000)
    mime_type: str | None = Field(default=None, max_length=100)
    filename: str | None = Field(default=None, max_length=255)


class GenericLocation(Model):
    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    address: str | None = Field(default=None, max_length=500)


class GenericMessage(Model):
    """One message from another gateway (POST /webhooks/generic)."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=200, description="the gateway's message id: redeliveries reuse it")
    channel: Literal["sms", "whatsapp", "telegram", "email", "lapor", "desk", "phone"] = "sms"
    sender: GenericSender
    text: str | None = Field(default=None, max_length=5000)
    subject: str | None = Field(default=None, max_length=300)
    media: list[GenericMedia] = Field(default_factory=list, max_length=10)
    location: GenericLocation | None = None
    sent_at: datetime | None = None


class GenericBatch(Model):
    model_config = ConfigDict(extra="forbid")
    messages: list[GenericMessage] = Field(min_length=1, max_length=100)


class GenericAdapter:
    name = "generic"

    def handshake(self, request: WebhookRequest, secrets: Secrets) -> Reply | None:
        return None

    def verify(self, request: WebhookRequest, secrets: Secrets) -> None:
        integration = request.header("x-aduan-integration") or ""
        secret = (secrets.get("integrations") or {}).get(integration)
        if not secret:
            raise SignatureInvalid(f"unknown integration {integration!r}", status=403)
        stamp = request.header("x-aduan-timestamp") or ""
        if not stamp.isdigit() or abs(request.received_at.timestamp() - int(stamp)) > TOLERANCE_SECONDS:
            raise SignatureInvalid("X-Aduan-Timestamp is missing or more than five minutes off")
        expected = "sha256=" + hmac_hex(secret, stamp.encode() + b"." + request.body)
        if not same(expected, request.header("x-aduan-signature")):
            raise SignatureInvalid("X-Aduan-Signature does not match")

    def parse(self, request: WebhookRequest, raw_key: str) -> Parsed:
        integration = request.header("x-aduan-integration") or ""
        try:
            document = GenericBatch.model_validate_json(request.body) if b'"messages"' in request.body[:200] \
                else GenericBatch(messages=[GenericMessage.model_validate_json(request.body)])
        except ValidationError as error:
            raise MalformedPayload("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                             for e in error.errors()[:5])) from None
        provider = f"{self.name}:{integration}"
        return Parsed(messages=[_message(item, provider, request, raw_key) for item in document.messages])


def _message(item: GenericMessage, provider: str, request: WebhookRequest, raw_key: str) -> InboundMessage:
    address = item.sender.address.strip()
    if item.channel in PHONE_CHANNELS:
        address = to_e164(address) or address
    elif item.channel == "email":
        address = address.lower()
    location = item.location
    return InboundMessage(
        id=inbound_id(provider, item.id), channel=Channel(item.channel), provider=provider,
        provider_message_id=item.id, sender=address, sender_name=item.sender.name, text=item.text,
        subject=item.subject,
        media=[MediaRef(kind=_kind(media.mime_type), ref=media.url, mime_type=media.mime_type,
                        filename=media.filename) for media in item.media],
        location=SharedLocation(lat=location.lat, lon=location.lon, address=location.address) if location else None,
        sent_at=to_storage(item.sent_at.astimezone(UTC)) if item.sent_at and item.sent_at.tzinfo else None,
        received_at=to_storage(request.received_at), raw_key=raw_key,
    )


def _kind(mime: str | None) -> Literal["image", "video", "audio", "document"]:
    major = (mime or "").split("/")[0]
    return major if major in ("image", "video", "audio") else "document"  # type: ignore[return-value]


def openapi_operation(components: dict[str, Any]) -> dict[str, Any]:
    """POST /webhooks/generic for the API document (served by WebhooksFunction, not the app resolver)."""
    for model in (GenericMessage, GenericBatch):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
    header = [
        ("X-Aduan-Integration", "The integration's name (its secret is configured per integration)"),
        ("X-Aduan-Timestamp", "Unix seconds when signed; refused when more than five minutes off"),
        ("X-Aduan-Signature", 'sha256=<hex HMAC-SHA256(secret, "<X-Aduan-Timestamp>.<raw body>")>'),
    ]
    return {
        "tags": ["webhooks"], "summary": "Signed inbound messages from other gateways",
        "description": ("For local SMS gateways, the LAPOR! bridge and desk tools. One message or "
                        '`{"messages": [...]}`; the same `id` delivered again has no further effect. '
                        "A wrong signature is 401/403; a signed payload outside the schema is acknowledged "
                        "(200) and kept for inspection, not queued."),
        "operationId": "generic_webhook", "security": [],
        "parameters": [{"name": name, "in": "header", "required": True, "description": text,
                        "schema": {"type": "string"}} for name, text in header],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
            {"$ref": "#/components/schemas/GenericMessage"}, {"$ref": "#/components/schemas/GenericBatch"}]}}}},
        "responses": {"200": {"description": "Accepted: stored and queued for intake", "content": {
            "application/json": {"schema": {"type": "object", "properties": {"status": {"const": "accepted"}}}}}}},
    }
