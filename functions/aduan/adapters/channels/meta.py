"""Meta's webhook scheme, shared by WhatsApp Cloud API, Messenger and Instagram Messaging.

GET handshake: `hub.mode=subscribe`, `hub.verify_token`, `hub.challenge` (answered verbatim).
POST: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`, checked on the raw bytes.
"""

from __future__ import annotations

import json
from typing import Any

from aduan.adapters.channels.base import (
    MalformedPayload,
    Reply,
    Secrets,
    SignatureInvalid,
    WebhookRequest,
    hmac_hex,
    require_secret,
    same,
)


class MetaSigned:
    def handshake(self, request: WebhookRequest, secrets: Secrets) -> Reply | None:
        if request.query.get("hub.mode") != "subscribe":
            return Reply(400, "hub.mode must be subscribe")
        if not same(require_secret(secrets, "verify_token"), request.query.get("hub.verify_token")):
            raise SignatureInvalid("hub.verify_token does not match", status=403)
        return Reply(200, request.query.get("hub.challenge", ""))

    def verify(self, request: WebhookRequest, secrets: Secrets) -> None:
        given = request.header("x-hub-signature-256")
        if not given:
            raise SignatureInvalid("X-Hub-Signature-256 is missing")
        expected = "sha256=" + hmac_hex(require_secret(secrets, "app_secret"), request.body)
        if not same(expected, given.lower()):
            raise SignatureInvalid("X-Hub-Signature-256 does not match the body")


def json_body(request: WebhookRequest) -> dict[str, Any]:
    try:
        document = json.loads(request.body)
    except (UnicodeDecodeError, ValueError) as error:
        raise MalformedPayload(f"the body is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise MalformedPayload("the body is not a JSON object")
    return document


def entries(document: dict[str, Any], expected_object: str) -> list[dict[str, Any]]:
    if document.get("object") != expected_object:
        raise MalformedPayload(f"object is {document.get('object')!r}, expected {expected_object!r}")
    found = document.get("entry")
    if not isinstance(found, list):
        raise MalformedPayload("entry must be a list")
    return [entry for entry in found if isinstance(entry, dict)]
