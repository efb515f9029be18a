"""The real OutboundPort: accept a message durably by putting it on the delivery queue.

Idempotent by `message.id` without a write here: the sender claims each id once with a conditional
write before calling the provider, so a message enqueued twice is still sent once."""

from __future__ import annotations

from aduan.dal import delivery_queue
from aduan.models.outbound import OutboundMessage


class QueueOutboundPort:
    def send(self, message: OutboundMessage) -> None:
        delivery_queue.enqueue(message.model_dump_json())

    def send_all(self, messages: list[OutboundMessage]) -> None:
        """The messages of one event in as few calls as SQS allows."""
        delivery_queue.enqueue_many([message.model_dump_json() for message in messages])
