"""The intake FIFO queue: grouped by sender (one citizen's messages in order), deduplicated by the
inbound id (SQS drops a redelivery within five minutes; the worker's ledger catches later ones)."""

from __future__ import annotations

from collections.abc import Sequence

from aduan.dal.clients import client
from aduan.models.inbound import InboundMessage

BATCH = 10


class EnqueueFailed(Exception):
    pass


def enqueue(queue_url: str, messages: Sequence[InboundMessage]) -> None:
    for start in range(0, len(messages), BATCH):
        chunk = messages[start:start + BATCH]
        answer = client("sqs").send_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(index), "MessageBody": message.model_dump_json(exclude_none=True),
             "MessageGroupId": message.group_id, "MessageDeduplicationId": message.id}
            for index, message in enumerate(chunk)
        ])
        if answer.get("Failed"):
            raise EnqueueFailed(f"SQS refused {len(answer['Failed'])} message(s): {answer['Failed']}")
