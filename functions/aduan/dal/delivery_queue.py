"""The delivery queue: outbound messages waiting for the sender function."""

from __future__ import annotations

from aduan import settings
from aduan.dal.clients import client


def enqueue(body: str, delay_seconds: int = 0) -> None:
    client("sqs").send_message(QueueUrl=settings.delivery_queue_url(), MessageBody=body,
                               DelaySeconds=max(0, min(delay_seconds, 900)))


def enqueue_many(bodies: list[str]) -> None:
    """Up to ten per SendMessageBatch; a partial failure raises, so the caller's event is retried (the
    messages that did get through are then dropped by the sender's claim)."""
    for start in range(0, len(bodies), 10):
        entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies[start:start + 10])]
        answer = client("sqs").send_message_batch(QueueUrl=settings.delivery_queue_url(), Entries=entries)
        if answer.get("Failed"):
            raise RuntimeError(f"delivery queue refused {len(answer['Failed'])} message(s): {answer['Failed'][0]}")


def postpone(receipt_handle: str, seconds: int) -> None:
    """Backoff for a message that will be retried: it reappears after `seconds` (SQS caps 12 hours)."""
    client("sqs").change_message_visibility(QueueUrl=settings.delivery_queue_url(), ReceiptHandle=receipt_handle,
                                            VisibilityTimeout=max(0, min(seconds, 43_200)))
