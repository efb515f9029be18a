"""The notifier and the sender, measured like the API operations: one event in, messages out, each message
sent once. The WhatsApp HTTP call is answered in-process (it is not an AWS call); SES is called (moto)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from infra.bench.harness import BUCKET, CLAIMS, TABLES

CONTACT = "whatsapp:+6281234567890"
PREFIX = "/aduan/bench/channels/"
APP_SECRET = "bench-whatsapp-app-secret"  # signs the provider's status callbacks


@contextmanager
def wired() -> Iterator[None]:
    """Delivery queue, provider settings in SSM, a verified sender identity and a WhatsApp citizen."""
    import os

    from aduan.dal.contacts import ContactRepository
    from aduan.models.contact import Contact

    queue = boto3.client("sqs").create_queue(QueueName="aduan-delivery-bench")["QueueUrl"]
    saved = {name: os.environ.get(name) for name in ("DELIVERY_QUEUE_URL", "CHANNEL_SECRETS_PREFIX", "INBOUND_BUCKET")}
    # Provider webhooks keep their raw bodies in the inbound bucket (the attachments bucket stands in: same price).
    os.environ.update(DELIVERY_QUEUE_URL=queue, CHANNEL_SECRETS_PREFIX=PREFIX, INBOUND_BUCKET=BUCKET)
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name=f"{PREFIX}whatsapp", Type="SecureString",
                      Value=json.dumps({"access_token": "bench", "phone_number_id": "106540352242922",
                                        "app_secret": APP_SECRET}))
    ssm.put_parameter(Name=f"{PREFIX}ses", Type="SecureString",
                      Value=json.dumps({"from_address": "aduan@semarangkota.go.id"}))
    boto3.client("sesv2").create_email_identity(EmailIdentity="aduan@semarangkota.go.id")
    stamp = "2026-11-23T03:00:00.000000Z"
    from aduan.logic import clock

    ContactRepository(TABLES["TicketsTable"]).put(Contact(
        id=CONTACT, channel="whatsapp", address="+6281234567890", last_inbound_at=clock.to_storage(clock.now()),
        created_at=stamp, updated_at=stamp))
    CLAIMS["whatsapp"] = {"sub": CONTACT, "cognito:groups": "citizen", "name": "Sari"}
    try:
        yield
    finally:
        CLAIMS.pop("whatsapp", None)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def assigned_event(code: str) -> dict[str, Any]:
    """The TicketAssigned domain event of a ticket, as the notifier's queue delivers it."""
    from aduan.dal import codec
    from aduan.logic.domain_events import detail

    items = boto3.client("dynamodb").query(
        TableName=TABLES["TicketsTable"], KeyConditionExpression="pk = :pk AND begins_with(sk, :ev)",
        ExpressionAttributeValues={":pk": {"S": f"T#{code}"}, ":ev": {"S": "EV#"}})["Items"]
    stored = next(s for s in map(codec.from_item, items) if s["event_type"] == "TicketAssigned")
    return {"version": "0", "id": stored["event_id"], "detail-type": "TicketAssigned", "source": "aduan.tickets",
            "account": "123456789012", "time": stored["occurred_at"], "region": "ap-southeast-3", "resources": [],
            "detail": detail(stored)}


# Meta keeps the reference a message was sent with (`biz_opaque_callback_data`) and echoes it in each of its status
# webhooks: provider message id -> reference, for statuses built by hand (see `sqs_event`).
ECHOED: dict[str, str] = {}


def _echoed(body: str) -> str:
    """A WhatsApp status for one of our messages, with the reference Meta would have echoed in it."""
    envelope = json.loads(body)
    if not isinstance(envelope, dict) or envelope.get("detail-type") != "DeliveryStatusReported":
        return body
    detail = envelope.get("detail")
    if not isinstance(detail, dict) or detail.get("reference") or detail.get("provider_message_id") not in ECHOED:
        return body
    return json.dumps({**envelope, "detail": {**detail, "reference": ECHOED[detail["provider_message_id"]]}})


def sqs_event(bodies: list[str]) -> dict[str, Any]:
    bodies = [_echoed(body) for body in bodies]
    return {"Records": [{
        "messageId": f"bench-{i}", "receiptHandle": f"bench-receipt-{i}", "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1795403700000", "SenderId": "bench",
                       "ApproximateFirstReceiveTimestamp": "1795403700000"},
        "messageAttributes": {}, "md5OfBody": "-", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:bench", "awsRegion": "ap-southeast-3"}
        for i, body in enumerate(bodies)]}


def queued_messages() -> list[str]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="aduan-delivery-bench")["QueueUrl"]
    bodies: list[str] = []
    while True:
        found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not found:
            return bodies
        for message in found:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def whatsapp_answers_in_process(sent: list[str] | None = None) -> None:
    """The sender's transport, with Graph API calls answered here (each message its own id, appended to
    `sent`) and AWS calls made (to moto)."""
    from aduan.adapters import provider_transport
    from aduan.adapters.senders.base import ProviderRequest, Reply
    from aduan.wiring import delivery_service

    def transport(request: ProviderRequest) -> Reply:
        if request.aws_call is not None:
            return provider_transport.execute(request)
        wamid = f"wamid.bench-{len(sent) if sent is not None else 0}"
        if sent is not None:
            sent.append(wamid)
        reference = json.loads(request.body or "{}").get("biz_opaque_callback_data")
        if reference:
            ECHOED[wamid] = reference
        return Reply(200, {"messaging_product": "whatsapp", "messages": [{"id": wamid}]})

    delivery_service().transport = transport
