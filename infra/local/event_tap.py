"""A local-only window onto the event buses: the most recent events, for GET /local/events and tests.

A catch-all rule on each custom bus sends every event (in full, via rules.FULL_EVENT) to a local
queue; a thread drains it into a ring buffer. Nothing in the template sees this rule or queue.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from infra.local.poller import Poller
from infra.local.rules import FULL_EVENT

RULE_NAME = "aduan-local-event-tap"
CATCH_ALL = {"source": [{"prefix": ""}]}
Predicate = Callable[[dict[str, Any]], bool]


class EventTap(Poller):
    def __init__(self, clients: Callable[[str], Any], buses: Iterable[str], capacity: int = 500) -> None:
        super().__init__("event-tap")
        self._sqs = clients("sqs")
        self._events_client = clients("events")
        self._buses = list(buses)
        self._buffer: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._changed = threading.Condition()
        self._queue_url = ""

    def install(self) -> None:
        """Create the queue and one catch-all rule per bus (call before start)."""
        self._queue_url = self._sqs.create_queue(QueueName=RULE_NAME)["QueueUrl"]
        queue_arn = self._sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        for bus in self._buses:
            self._events_client.put_rule(Name=RULE_NAME, EventBusName=bus, EventPattern=json.dumps(CATCH_ALL))
            self._events_client.put_targets(
                Rule=RULE_NAME,
                EventBusName=bus,
                Targets=[{"Id": "local-event-tap", "Arn": queue_arn, "InputTransformer": FULL_EVENT}],
            )

    def poll_once(self) -> None:
        if not self._buses:
            self.stop_event.wait(1.0)
            return
        messages = self._sqs.receive_message(
            QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        )
        received = messages.get("Messages", [])
        if not received:
            return
        with self._changed:
            self._buffer.extend(json.loads(message["Body"]) for message in received)
            self._changed.notify_all()
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)]
        self._sqs.delete_message_batch(QueueUrl=self._queue_url, Entries=entries)

    def recent(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Oldest first; with a limit, the last `limit` events."""
        with self._changed:
            events = list(self._buffer)
        return events[-limit:] if limit else events

    def wait_for(self, predicate: Predicate, timeout: float) -> dict[str, Any]:
        """The first buffered event matching predicate, waiting up to timeout seconds for it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event in self._buffer:
                    if predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no matching event within {timeout} s")
                self._changed.wait(remaining)
