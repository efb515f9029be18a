"""Accept a provider's webhook: verify, normalise, keep the raw payload, enqueue durably, answer.

Nothing is processed here (the intake worker does that): the provider gets its 2xx as soon as the
payload is in S3 and its messages are in the FIFO queue — two writes per delivery. A wrong signature
stores nothing; an authentic payload we cannot understand is kept under `rejected/` and answered 400.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aws_lambda_powertools.metrics import MetricUnit

from aduan import settings
from aduan.adapters.channels import adapter_for
from aduan.adapters.channels.base import ChannelAdapter, MalformedPayload, Parsed, SignatureInvalid, WebhookRequest
from aduan.dal import channel_secrets, event_bus, inbound_store, intake_queue
from aduan.logic.errors import DomainError, NotFound
from aduan.models.inbound import DeliveryStatus, InboundMessage
from aduan.observability import logger, metrics

STATUS_SOURCE = "aduan.channels"
STATUS_DETAIL_TYPE = "DeliveryStatusReported"


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
    try:
        parsed = adapter.parse(request, key)
    except (MalformedPayload, ValueError) as error:
        rejected = inbound_store.raw_key(channel, request.body, request.received_at, folder="rejected")
        inbound_store.put(bucket, rejected, request.body, request.header("content-type"),
                          {"reason": str(error)[:1000].encode("ascii", "replace").decode()})
        _count("WebhookMalformed", channel)
        logger.warning("malformed webhook kept", extra={"channel": channel, "key": rejected, "reason": str(error)})
        raise Rejected(400, "malformed_payload", f"the {channel} payload could not be understood: {error}",
                       {"kept_as": rejected}) from None
    _deliver(channel, parsed, bucket, key, request)
    return ACKS.get(channel, ACCEPTED)


def _deliver(channel: str, parsed: Parsed, bucket: str, key: str, request: WebhookRequest) -> None:
    messages = _unique(parsed.messages)
    if messages or parsed.statuses:
        inbound_store.put(bucket, key, request.body, request.header("content-type"), {"channel": channel})
    if messages:
        intake_queue.enqueue(settings.intake_queue_url(), messages)
        _count("InboundMessagesAccepted", channel, len(messages))
    if parsed.statuses:
        publish_statuses(parsed.statuses)
    if parsed.confirm_url:
        confirm_subscription(parsed.confirm_url)


def publish_statuses(statuses: list[DeliveryStatus]) -> None:
    bus = settings.event_bus_name()
    entries = [{"Source": STATUS_SOURCE, "DetailType": STATUS_DETAIL_TYPE, "EventBusName": bus,
                "Time": status.occurred_at, "Detail": status.model_dump_json()} for status in statuses]
    for start in range(0, len(entries), 10):
        event_bus.publish(entries[start:start + 10])


def confirm_subscription(url: str) -> None:
    """SNS SubscriptionConfirmation: the adapter has checked the URL is an SNS endpoint."""
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as answer:  # the adapter checked the host is SNS
        logger.info("SNS subscription confirmed", extra={"status": answer.status})


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
