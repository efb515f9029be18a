"""Channel intake under the bench: the webhook's acknowledgement (verify, keep the raw payload, enqueue)
and the intake worker turning one queued message into a complaint and a recorded reply.

Each run is a new citizen's first message, so every run does the full work (no grouping, no duplicate).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from infra import channel_samples as samples
from infra.bench.harness import REGION

QUEUE = "aduan-intake-bench.fifo"
BUCKET = "aduan-inbound-bench"


@contextmanager
def channel_resources() -> Iterator[str]:
    """The intake queue and the inbound bucket (inside the bench's moto), and the webhook's environment."""
    url = boto3.client("sqs").create_queue(QueueName=QUEUE, Attributes={"FifoQueue": "true"})["QueueUrl"]
    replies = boto3.client("sqs").create_queue(QueueName="aduan-delivery-intake-bench")["QueueUrl"]
    boto3.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    environment = {"INTAKE_QUEUE_URL": url, "INBOUND_BUCKET": BUCKET, "CHANNEL_SECRETS_PREFIX": "/aduan/bench/",
                   "DELIVERY_QUEUE_URL": replies,
                   "WEBHOOK_BASE_URL": samples.SAMPLE_BASE_URL, "LOCAL_CHANNEL_SECRETS": str(samples.SECRETS_FILE)}
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        yield url
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def whatsapp_event(index: int) -> dict[str, Any]:
    phone = f"628122{index:07d}"
    payload = samples.whatsapp_message({"id": f"wamid.bench{index:06d}", "type": "text", "text": {
        "body": "Lampu jalan di depan rumah kami mati sejak kemarin malam, mohon diperbaiki."}}, "Warga", phone)
    return samples.webhook_event("whatsapp", payload)


def telegram_event(index: int) -> dict[str, Any]:
    update = samples.telegram_update(900000000 + index, {"message_id": index + 1,
                                                         "text": "Sampah menumpuk di pinggir jalan sejak seminggu."})
    update["message"]["from"]["id"] = update["message"]["chat"]["id"] = 7000000000 + index
    return samples.webhook_event("telegram", update)


def queued_batches(url: str) -> list[dict[str, Any]]:
    """One SQS event per waiting message (each run of the worker handles one message)."""
    sqs = boto3.client("sqs")
    events: list[dict[str, Any]] = []
    while True:
        found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
        if not found:
            return events
        for message in found:
            attributes = message["Attributes"]
            events.append({"Records": [samples.sqs_record(message["Body"], attributes["MessageGroupId"],
                                                          attributes["MessageDeduplicationId"], 0)]})
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
