"""Channel intake under moto: the webhook handler, the FIFO intake queue, the intake worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from infra import channel_samples
from infra.channel_samples import SAMPLE_BASE_URL, api_event, body_bytes, signed_headers

INTAKE_QUEUE = "aduan-intake-test.fifo"
INBOUND_BUCKET = "aduan-inbound-test"
REGION = "ap-southeast-3"


def reset_channel_caches() -> None:
    from aduan import wiring

    wiring.reset()


class Context:
    function_name = "aduan-webhooks-test"
    memory_limit_in_mb = 512
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:aduan-webhooks-test"
    aws_request_id = "test-request"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@dataclass
class Answer:
    status: int
    body: str
    content_type: str

    def json(self) -> Any:
        return json.loads(self.body)


def photo_with_gps() -> bytes:
    """A real JPEG as a phone writes it: EXIF with the maker, the GPS position of the reporter's house."""
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "samsung", "SM-A546E"  # Make, Model
    exif.get_ifd(0x8825).update({1: "S", 2: (6.0, 59.0, 15.5), 3: "E", 4: (110.0, 24.0, 43.2)})  # GPS
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


JPEG = photo_with_gps()


@dataclass
class FakeProviders:
    """Stands in for the providers' media endpoints; records what was asked, with which credentials."""

    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    broken: bool = False

    def get(self, url: str, headers: dict[str, str]) -> Any:
        from aduan.adapters.channels.media import Downloaded

        self.requests.append((url, headers))
        if self.broken:
            raise OSError("provider unreachable")
        if url.startswith("https://graph.facebook.com/"):
            return Downloaded(json.dumps({"url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1",
                                          "mime_type": "image/jpeg", "file_size": len(JPEG)}).encode(),
                              "application/json")
        if "/getFile?" in url:
            return Downloaded(json.dumps({"ok": True, "result": {"file_id": "x", "file_path": "photos/file_7.jpg"}})
                              .encode(), "application/json")
        return Downloaded(JPEG, "image/jpeg")


@dataclass
class Channels:
    queue_url: str
    delivery_url: str
    providers: FakeProviders = field(default_factory=FakeProviders)
    delivered: list[dict[str, Any]] = field(default_factory=list)

    # ------------------------------------------------------------------ webhook side
    def call(self, event: dict[str, Any]) -> Answer:
        from aduan.handlers.webhooks import handler

        result = handler(event, Context())  # type: ignore[arg-type]
        headers = {**{k: v[-1] for k, v in (result.get("multiValueHeaders") or {}).items()},
                   **(result.get("headers") or {})}
        return Answer(result["statusCode"], result.get("body") or "", headers.get("Content-Type", ""))

    def post(self, channel: str, payload: dict[str, Any] | bytes, headers: dict[str, str] | None = None,
             sign: bool = True) -> Answer:
        body = payload if isinstance(payload, bytes) else body_bytes(payload)
        url = f"{SAMPLE_BASE_URL}/webhooks/{channel}"
        signed = signed_headers(channel, body, url) if sign else {"Content-Type": "application/json"}
        return self.call(api_event("POST", channel, body, {**signed, **(headers or {})}))

    def get(self, channel: str, query: dict[str, str]) -> Answer:
        return self.call(api_event("GET", channel, None, {}, query))

    # ------------------------------------------------------------------ worker side
    def queued(self) -> list[dict[str, Any]]:
        """Receive everything waiting (each message once: it stays invisible afterwards)."""
        sqs = boto3.client("sqs")
        found: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                        AttributeNames=["All"], VisibilityTimeout=600).get("Messages", [])
            if not batch:
                return found
            found.extend(batch)

    def work(self, messages: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        from aduan.handlers.intake import handler

        messages = self.queued() if messages is None else messages
        records = [channel_samples.sqs_record(m["Body"], m["Attributes"]["MessageGroupId"],
                                              m["Attributes"]["MessageDeduplicationId"], i)
                   for i, m in enumerate(messages)]
        if not records:
            return {"batchItemFailures": []}
        result: dict[str, Any] = handler({"Records": records}, Context())  # type: ignore[arg-type]
        failed = {item["itemIdentifier"] for item in result["batchItemFailures"]}
        for record, message in zip(records, messages, strict=True):
            if record["messageId"] not in failed:  # as Lambda does after a (partially) successful batch
                boto3.client("sqs").delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return result

    def deliver(self, channel: str, payload: dict[str, Any]) -> dict[str, Any]:
        answer = self.post(channel, payload)
        assert answer.status == 200, answer.body
        return self.work()

    # ------------------------------------------------------------------ what happened
    def outbox(self) -> list[dict[str, Any]]:
        """Replies handed to the outbound port: everything put on the delivery queue so far, in order."""
        sqs = boto3.client("sqs")
        while True:
            batch = sqs.receive_message(QueueUrl=self.delivery_url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return self.delivered
            for message in batch:
                self.delivered.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.delivery_url, ReceiptHandle=message["ReceiptHandle"])

    @staticmethod
    def objects(prefix: str) -> list[str]:
        found = boto3.client("s3").list_objects_v2(Bucket=INBOUND_BUCKET, Prefix=prefix)
        return [item["Key"] for item in found.get("Contents", [])]


@pytest.fixture(name="channels")
def channels_fixture(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Channels]:
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName="aduan-intake-dlq-test.fifo", Attributes={"FifoQueue": "true"})
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq["QueueUrl"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=INTAKE_QUEUE, Attributes={
        "FifoQueue": "true", "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}),
    })["QueueUrl"]
    delivery = sqs.create_queue(QueueName="aduan-delivery-test")["QueueUrl"]
    boto3.client("s3").create_bucket(Bucket=INBOUND_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    for name, value in {"INTAKE_QUEUE_URL": url, "INBOUND_BUCKET": INBOUND_BUCKET,
                        "CHANNEL_SECRETS_PREFIX": "/aduan/test/channels/", "DELIVERY_QUEUE_URL": delivery,
                        "WEBHOOK_BASE_URL": SAMPLE_BASE_URL,
                        "LOCAL_CHANNEL_SECRETS": str(channel_samples.SECRETS_FILE)}.items():
        monkeypatch.setenv(name, value)
    reset_channel_caches()
    from aduan.wiring import intake_service

    harness = Channels(url, delivery)
    media = intake_service().media
    assert media is not None
    media.get = harness.providers.get
    yield harness
    reset_channel_caches()
