"""Accept a provider's webhook: verify, normalise, keep the raw payload, enqueue durably, answer.

Nothing is processed here (the intake worker does that): the provider gets its 2xx as soon as the
payload is in S3 and its messages are in the FIFO queue — two writes per delivery. A wrong signature
stores nothing. An authentic payload we cannot understand (a field of the wrong type, a timestamp out of
range, too large to queue) is quarantined under `rejected/`, counted (`WebhookQuarantined`, alarmed) and
acknowledged with a 200: the provider would otherwise redeliver it forever.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aws_lambda_powertools.metrics import MetricUnit

from aduan import settings
from aduan.adapters.channels import adapter_for
from aduan.adapters.channels.base import (
    ChannelAdapter,
    MalformedPayload,
    Parsed,
    SignatureInvalid,
    WebhookRequest,
    parse_payload,
)
from aduan.adapters.channels.sns import confirm_subscription
from aduan.dal import channel_secrets, event_bus, inbound_store, intake_queue
from aduan.logic.errors import DomainError, NotFound
from aduan.models.inbound import DeliveryStatus, InboundMessage
from aduan.models.limits import limits
from aduan.observability import logger, metrics

STATUS_SOURCE = "aduan.channels"
STATUS_DETAIL_TYPE = "DeliveryStatusReported"
# SQS takes 256 KiB per message and per batch: batches are cut by size, and a message that could not
# travel even alone (with its attributes) is quarantined.
QUEUE_BATCH_BYTES = 240 * 1024
QUEUE_MESSAGE_BYTES = QUEUE_BATCH_BYTES


class Rejected(DomainError):
    def __init__(self, status: int, code: str, message: str, details: object = None) -> None:
        super().__init__(message, details, code)
        self.status = status


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str = "application/json"


ACCEPTED = Answer(200, json.dumps({"status": "accepted"}))
# Twilio reads the answer as TwiML: an empty <Response/> sends nothing back (we reply via the outbound port).
ACKS = {"twilio": Answer(200, '<?xml version="1.0" encoding="UTF-8"?><Response></Response>', "text/xml")}


def handshake(channel: str, request: WebhookRequest) -> Answer:
    adapter = _adapter(channel)
    try:
        reply = adapter.handshake(request, channel_secrets.channel_secrets(channel))
    except SignatureInvalid as error:
        _count("WebhookSignatureRejected", channel)
        raise Rejected(error.status, "invalid_signature", str(error)) from None
    if reply is None:
        raise Rejected(405, "method_not_allowed", f"{channel} webhooks have no GET handshake")
    return Answer(reply.status, reply.body, reply.content_type)


def receive(channel: str, request: WebhookRequest) -> Answer:
    adapter = _adapter(channel)
    try:
        adapter.verify(request, channel_secrets.channel_secrets(channel))
    except SignatureInvalid as error:
        _count("WebhookSignatureRejected", channel)
        logger.warning("webhook signature rejected", extra={"channel": channel, "reason": str(error)})
        raise Rejected(error.status, "invalid_signature", str(error)) from None
    bucket = settings.inbound_bucket()
    key = inbound_store.raw_key(channel, request.body, request.received_at)
    limit = limits().request.webhook_bytes
    if len(request.body) > limit:
        return quarantine(channel, request, bucket, f"body of {len(request.body)} bytes (limit {limit})")
    try:
        parsed = parse_payload(adapter, request, key)
        queued = _unique(parsed.messages)
        too_big = [m.id for m in queued if len(m.model_dump_json(exclude_none=True).encode()) > QUEUE_MESSAGE_BYTES]
    except MalformedPayload as error:
        return quarantine(channel, request, bucket, str(error))
    if too_big:
        return quarantine(channel, request, bucket, f"message(s) {too_big[:5]} too large to queue")
    _deliver(channel, parsed, queued, bucket, key, request)
    return ACKS.get(channel, ACCEPTED)


def quarantine(channel: str, request: WebhookRequest, bucket: str, reason: str) -> Answer:
    """Keep the authentic-but-unusable payload for inspection and tell the provider it arrived."""
    rejected = inbound_store.raw_key(channel, request.body, request.received_at, folder="rejected")
    inbound_store.put(bucket, rejected, request.body, request.header("content-type"),
                      {"reason": " ".join(reason.split())[:1000].encode("ascii", "replace").decode()})
    _count("WebhookQuarantined", channel)
    logger.warning("malformed webhook quarantined", extra={"channel": channel, "key": rejected,
                                                           "reason": reason[:1000]})
    return ACKS.get(channel, Answer(200, json.dumps({"status": "quarantined", "kept_as": rejected})))


def _deliver(channel: str, parsed: Parsed, messages: list[InboundMessage], bucket: str, key: str,
             request: WebhookRequest) -> None:
    # What a citizen wrote is kept as it arrived. A payload of delivery statuses only is not: each status is
    # published in full and recorded on the ticket's timeline, and a WhatsApp message brings three of them
    # (sent, delivered, read): their PUTs were the dearest part of its callbacks (docs/bench-results.json).
    if messages:
        inbound_store.put(bucket, key, request.body, request.header("content-type"), {"channel": channel})
    if messages:
        for batch in _batches(messages):
            intake_queue.enqueue(settings.intake_queue_url(), batch)
        _count("InboundMessagesAccepted", channel, len(messages))
    if parsed.statuses:
        publish_statuses(parsed.statuses)
    if parsed.confirm_url:
        confirm_subscription(parsed.confirm_url)


def publish_statuses(statuses: list[DeliveryStatus]) -> None:
    """A provider's `sent` repeats what the sender recorded when the provider took the message: it is not
    published (DeliveryStatusRule would drop it, after the bus had charged for it)."""
    bus = settings.event_bus_name()
    entries = [{"Source": STATUS_SOURCE, "DetailType": STATUS_DETAIL_TYPE, "EventBusName": bus,
                "Time": status.occurred_at, "Detail": status.model_dump_json()}
               for status in statuses if status.status != "sent"]
    for start in range(0, len(entries), 10):
        event_bus.publish(entries[start:start + 10])


def _batches(messages: list[InboundMessage]) -> list[list[InboundMessage]]:
    batches: list[list[InboundMessage]] = [[]]
    size = 0
    for message in messages:
        length = len(message.model_dump_json(exclude_none=True).encode())
        if batches[-1] and size + length > QUEUE_BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(message)
        size += length
    return batches


def _unique(messages: list[InboundMessage]) -> list[InboundMessage]:
    """One delivery can repeat a message id: queue it once. Service messages (nothing to read, see or
    locate) are not queued at all; a citizen's reaction, sticker, empty text, shared contact… (marked
    `extra["kind"]` by the parser) is, to get a word back (logic/non_complaints.py)."""
    seen: dict[str, InboundMessage] = {}
    for message in messages:
        if message.text or message.media or message.location or "mime_key" in message.extra \
                or "kind" in message.extra:
            seen.setdefault(message.id, message)
    return list(seen.values())


def _adapter(channel: str) -> ChannelAdapter:
    adapter = adapter_for(channel)
    if adapter is None:
        raise NotFound(f"no webhook for channel {channel!r}")
    return adapter


def _count(name: str, channel: str, value: int = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    metrics.add_metadata(key="channel", value=channel)
