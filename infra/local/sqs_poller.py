"""SQS event source mapping, and asynchronous invocation through a queue (EventBridge -> Lambda).

SqsPoller delivers batches in Lambda's SQS event shape. Messages the function handled are deleted;
failed ones (the whole batch on an exception or an invalid partial response, else the reported
`batchItemFailures`) are made visible again after a short delay, and moto moves them to the
queue's dead-letter queue after maxReceiveCount receives, as SQS does. Messages that do not pass
the mapping's filters are deleted, as Lambda does.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from infra.local.batch_response import WholeBatchFailed, failed_items
from infra.local.patterns import matches_any
from infra.local.poller import Poller, PollerSettings
from infra.local.runtime import FunctionError, LambdaRuntime
from infra.local.sqs_visibility import set_by_function
from infra.local.wiring import AsyncTarget, MappingSpec

LOG = logging.getLogger(__name__)
_ATTRIBUTE_NAMES = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageGroupId",
    "MessageDeduplicationId",
    "AWSTraceHeader",
)
_GATHER_STEP = 0.25  # seconds between receives while a batch is gathered


def sqs_record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One received message in the shape of a Lambda SQS event record."""
    attributes = message.get("Attributes") or {}
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": {name: attributes[name] for name in _ATTRIBUTE_NAMES if name in attributes},
        "messageAttributes": {
            name: _message_attribute(value)
            for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode("ascii")

    attribute: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues") or []),
        "binaryListValues": [b64(item) for item in value.get("BinaryListValues") or []],
        "dataType": value.get("DataType"),
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = b64(value["BinaryValue"])
    return attribute


def filter_view(record: Mapping[str, Any]) -> dict[str, Any]:
    """What Lambda's SQS filters see: the record, with a JSON body parsed."""
    view = dict(record)
    with contextlib.suppress(ValueError):
        view["body"] = json.loads(record["body"])
    return view


class _QueueClient:
    def __init__(self, clients: Callable[[str], Any], queue_url: str, settings: PollerSettings) -> None:
        self.sqs = clients("sqs")
        self.url = queue_url
        self.settings = settings
        self.arn: str = self.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]

    def receive(self, count: int, wait: int | None = None) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=max(1, min(count, 10)),
            WaitTimeSeconds=self.settings.sqs_wait_seconds if wait is None else wait,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages

    def delete(self, receipts: Sequence[str]) -> None:
        for start in range(0, len(receipts), 10):
            entries = [{"Id": str(i), "ReceiptHandle": r} for i, r in enumerate(receipts[start : start + 10])]
            self.sqs.delete_message_batch(QueueUrl=self.url, Entries=entries)

    def retry_later(self, receipts: Sequence[str]) -> None:
        for start in range(0, len(receipts), 10):
            entries = [
                {"Id": str(i), "ReceiptHandle": r, "VisibilityTimeout": self.settings.retry_delay_seconds}
                for i, r in enumerate(receipts[start : start + 10])
            ]
            self.sqs.change_message_visibility_batch(QueueUrl=self.url, Entries=entries)


class SqsPoller(Poller):
    def __init__(
        self,
        spec: MappingSpec,
        runtime: LambdaRuntime,
        clients: Callable[[str], Any],
        region: str,
        settings: PollerSettings,
    ) -> None:
        super().__init__(spec.logical_id)
        assert spec.queue_url is not None
        self.spec = spec
        self._runtime = runtime
        self._region = region
        self._settings = settings
        self._queue = _QueueClient(clients, spec.queue_url, settings)

    def poll_once(self) -> None:
        messages = self._gather()
        if not messages:
            return
        records = [sqs_record(message, self.spec.source_arn, self._region) for message in messages]
        passing = [r for r in records if matches_any(self.spec.filters, filter_view(r))]
        filtered_out = [r["receiptHandle"] for r in records if r not in passing]
        if filtered_out:
            self._queue.delete(filtered_out)
        if not passing:
            return
        failed_ids = self._deliver(passing)
        postponed = set_by_function(r["receiptHandle"] for r in passing)
        self._queue.delete([r["receiptHandle"] for r in passing if r["messageId"] not in failed_ids])
        self._queue.retry_later([r["receiptHandle"] for r in passing
                                 if r["messageId"] in failed_ids and r["receiptHandle"] not in postponed])

    def _gather(self) -> list[dict[str, Any]]:
        """A batch: what one long poll gets, topped up until it is full, the batching window is over, or
        nothing more arrived for a step (a lone message is not held for the whole window locally)."""
        messages = self._queue.receive(self.spec.batch_size)
        deadline = time.monotonic() + self._settings.batching_window(self.spec.batching_window)
        while messages and len(messages) < self.spec.batch_size:
            left = deadline - time.monotonic()
            if left <= 0 or self.stop_event.wait(min(left, _GATHER_STEP)):
                break
            more = self._queue.receive(self.spec.batch_size - len(messages), wait=0)
            if not more:
                break
            messages += more
        return messages

    def _deliver(self, records: list[dict[str, Any]]) -> set[str]:
        """Message ids that failed."""
        every_id = [record["messageId"] for record in records]
        try:
            response = self._runtime.invoke(self.spec.function, {"Records": records})
            if not self.spec.report_batch_item_failures:
                return set()
            return set(failed_items(response, every_id))
        except FunctionError:
            return set(every_id)
        except WholeBatchFailed as invalid:
            LOG.error(
                "%s: invalid partial batch response, the whole batch fails: %s", self.spec.function, invalid
            )
            return set(every_id)


class AsyncInvokePoller(Poller):
    """Runs each message's event through the function once, as an asynchronous invocation."""

    def __init__(
        self,
        target: AsyncTarget,
        runtime: LambdaRuntime,
        clients: Callable[[str], Any],
        settings: PollerSettings,
    ) -> None:
        super().__init__(f"{target.rule}-{target.function}")
        self.target = target
        self._runtime = runtime
        self._settings = settings
        self._queue = _QueueClient(clients, target.queue_url, settings)

    def poll_once(self) -> None:
        for message in self._queue.receive(10):
            try:
                self._runtime.invoke(self.target.function, json.loads(message["Body"]))
            except FunctionError:
                attempts = int((message.get("Attributes") or {}).get("ApproximateReceiveCount", "1"))
                if attempts < self._settings.async_attempts:
                    if not set_by_function([message["ReceiptHandle"]]):
                        self._queue.retry_later([message["ReceiptHandle"]])
                    continue
                LOG.error(
                    "%s: event from rule %s dropped after %d attempts",
                    self.target.function,
                    self.target.rule,
                    attempts,
                )
            self._queue.delete([message["ReceiptHandle"]])
