"""X (Twitter) Account Activity API webhooks: the CRC challenge and signed deliveries of direct
messages and mentions. `x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, body)>`."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from html import unescape
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
    unix_time,
)
from aduan.adapters.channels.meta import json_body
from aduan.logic.clock import to_storage
from aduan.models.inbound import InboundMessage, MediaRef, inbound_id
from aduan.models.ticket import Channel


def digest(secret: str, payload: bytes) -> str:
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), payload, hashlib.sha256).digest()).decode()


class XAdapter:
    name = "x"

    def handshake(self, request: WebhookRequest, secrets: Secrets) -> Reply | None:
        token = request.query.get("crc_token")
        if not token:
            return Reply(400, "crc_token is required")
        import json

        token_reply = {"response_token": digest(require_secret(secrets, "consumer_secret"), token.encode())}
        return Reply(200, json.dumps(token_reply), "application/json")

    def verify(self, request: WebhookRequest, secrets: Secrets) -> None:
        given = request.header("x-twitter-webhooks-signature")
        if not given:
            raise SignatureInvalid("x-twitter-webhooks-signature is missing")
        if not same(digest(require_secret(secrets, "consumer_secret"), request.body), given):
            raise SignatureInvalid("x-twitter-webhooks-signature does not match the body")

    def parse(self, request: WebhookRequest, raw_key: str) -> Parsed:
        document = json_body(request)
        own = str(need(document, "for_user_id"))
        users = document.get("users") or {}
        parsed = Parsed()
        for event in document.get("direct_message_events") or []:
            create = event.get("message_create") if event.get("type") == "message_create" else None
            if not create or str(create.get("sender_id")) == own:
                parsed.ignored += 1  # our own outgoing DMs come back as events too
                continue
            parsed.messages.append(self._direct_message(event, create, users, request, raw_key))
        for tweet in document.get("tweet_create_events") or []:
            user = need(tweet, "user")
            if str(user.get("id_str")) == own or tweet.get("retweeted_status"):
                parsed.ignored += 1
                continue
            parsed.messages.append(self._mention(tweet, user, request, raw_key))
        return parsed

    def _direct_message(self, event: dict[str, Any], create: dict[str, Any], users: dict[str, Any],
                        request: WebhookRequest, raw_key: str) -> InboundMessage:
        sender = str(need(create, "sender_id"))
        data = create.get("message_data") or {}
        media = (data.get("attachment") or {}).get("media") or {}
        user = users.get(sender) or {}
        return InboundMessage(
            id=inbound_id(self.name, str(need(event, "id"))), channel=Channel.X, provider=self.name,
            provider_message_id=str(event["id"]), sender=sender, sender_name=user.get("name"),
            text=unescape(data.get("text") or "").strip() or None,
            media=[MediaRef(kind="image", ref=str(media["media_url_https"]))] if media.get("media_url_https") else [],
            sent_at=unix_time(int(event.get("created_timestamp") or 0) / 1000),
            received_at=to_storage(request.received_at), raw_key=raw_key,
            extra={"kind": "dm", **({"screen_name": user["screen_name"]} if user.get("screen_name") else {})},
        )

    def _mention(self, tweet: dict[str, Any], user: dict[str, Any], request: WebhookRequest,
                 raw_key: str) -> InboundMessage:
        text = (tweet.get("extended_tweet") or {}).get("full_text") or tweet.get("text") or ""
        media = ((tweet.get("extended_entities") or {}).get("media")) or []
        created = tweet.get("created_at")
        return InboundMessage(
            id=inbound_id(self.name, str(need(tweet, "id_str"))), channel=Channel.X, provider=self.name,
            provider_message_id=str(tweet["id_str"]), sender=str(need(user, "id_str")), sender_name=user.get("name"),
            text=unescape(text).strip() or None,
            media=[MediaRef(kind="image" if item.get("type") == "photo" else "video", ref=str(item["media_url_https"]))
                   for item in media if item.get("media_url_https")],
            sent_at=to_storage(datetime.strptime(created, "%a %b %d %H:%M:%S %z %Y")) if created else None,
            received_at=to_storage(request.received_at), raw_key=raw_key,
            extra={"kind": "mention", "tweet_id": str(tweet["id_str"]),
                   **({"screen_name": user["screen_name"]} if user.get("screen_name") else {})},
        )
