"""Local SQS and stream pollers: a batch is gathered until it is full or MaximumBatchingWindowInSeconds is over,
as Lambda does (capped locally by PollerSettings.batching_window_max), and a failed message the function
postponed itself is left as the function set it."""

from __future__ import annotations

import time
from typing import Any

import boto3
from moto import mock_aws

from infra.local.poller import PollerSettings
from infra.local.runtime import FunctionError
from infra.local.sqs_poller import SqsPoller
from infra.local.sqs_visibility import install_visibility_notes, set_by_function
from infra.local.stream_poller import StreamPoller, _Shard
from infra.local.wiring import MappingSpec
from tests.unit.test_local_batches import moto_record

QUEUE_ARN = "arn:aws:sqs:ap-southeast-3:123456789012:work"
STREAM_ARN = "arn:aws:dynamodb:ap-southeast-3:123456789012:table/t/stream/2026"


class Runtime:
    def __init__(self) -> None:
        self.batches: list[list[dict[str, Any]]] = []

    def invoke(self, function: str, event: dict[str, Any]) -> None:
        self.batches.append(event["Records"])


class Sqs:
    """Before each ReceiveMessage call the next arrival joins the queue; a call takes what it may."""

    def __init__(self, arrivals: list[int]) -> None:
        self.arrivals = arrivals
        self.waits: list[int] = []
        self.deleted: list[str] = []
        self.sent = 0
        self.waiting = 0

    def get_queue_attributes(self, **_: Any) -> dict[str, Any]:
        return {"Attributes": {"QueueArn": QUEUE_ARN}}

    def receive_message(self, MaxNumberOfMessages: int, WaitTimeSeconds: int, **_: Any) -> dict[str, Any]:
        self.waits.append(WaitTimeSeconds)
        self.waiting += self.arrivals.pop(0) if self.arrivals else 0
        count = min(self.waiting, MaxNumberOfMessages)
        self.waiting -= count
        messages = [{"MessageId": f"m{self.sent + n}", "ReceiptHandle": f"r{self.sent + n}", "Body": "{}"}
                    for n in range(count)]
        self.sent += count
        return {"Messages": messages}

    def delete_message_batch(self, Entries: list[dict[str, str]], **_: Any) -> None:
        self.deleted += [entry["ReceiptHandle"] for entry in Entries]


def sqs_poller(arrivals: list[int], window: float, settings: PollerSettings) -> tuple[SqsPoller, Sqs, Runtime]:
    sqs, runtime = Sqs(arrivals), Runtime()
    spec = MappingSpec("Mapping", "Worker", QUEUE_ARN, "sqs", 10, queue_url="http://q", batching_window=window)
    return SqsPoller(spec, runtime, lambda _: sqs, "ap-southeast-3", settings), sqs, runtime  # type: ignore[arg-type]


def test_sqs_batch_is_topped_up_until_full() -> None:
    poller, sqs, runtime = sqs_poller([3, 4, 5], window=1.0, settings=PollerSettings())
    poller.poll_once()
    assert [len(batch) for batch in runtime.batches] == [10]
    assert sqs.waits[0] == 1 and set(sqs.waits[1:]) == {0}  # one long poll, then quick top-ups
    assert len(sqs.deleted) == 10
    poller.poll_once()  # the fifth arrival's last two messages start the next batch
    assert [len(batch) for batch in runtime.batches] == [10, 2]


def test_sqs_batch_goes_when_the_window_is_over() -> None:
    poller, _, runtime = sqs_poller([1] * 10, window=0.6, settings=PollerSettings())
    started = time.monotonic()
    poller.poll_once()  # one message per step keeps the batch gathering until the window ends
    assert 0.55 <= time.monotonic() - started < 1.5
    assert len(runtime.batches) == 1 and 2 <= len(runtime.batches[0]) <= 4  # a receive every 0.25 s at most


def test_sqs_batch_goes_when_nothing_more_arrives() -> None:
    poller, sqs, runtime = sqs_poller([3, 0, 4], window=1.0, settings=PollerSettings())
    started = time.monotonic()
    poller.poll_once()
    assert time.monotonic() - started < 0.5 and [len(batch) for batch in runtime.batches] == [3]
    assert len(sqs.waits) == 2


def test_sqs_without_a_window_delivers_what_one_receive_got() -> None:
    poller, sqs, runtime = sqs_poller([3, 4], window=0.0, settings=PollerSettings())
    poller.poll_once()
    assert [len(batch) for batch in runtime.batches] == [3] and len(sqs.waits) == 1


def test_the_local_cap_shortens_a_long_window() -> None:
    settings = PollerSettings(batching_window_max=0.3)
    assert settings.batching_window(5.0) == 0.3 and settings.batching_window(0.0) == 0.0
    poller, _, runtime = sqs_poller([1] * 10, window=5.0, settings=settings)
    started = time.monotonic()
    poller.poll_once()
    assert time.monotonic() - started < 1.0 and len(runtime.batches[0]) <= 3


class Streams:
    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.position = 0

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        found = self.records[self.position:self.position + Limit]
        self.position += len(found)
        return {"Records": found, "NextShardIterator": ShardIterator}


def test_stream_batch_gathers_while_records_arrive() -> None:
    streams, runtime = Streams(), Runtime()
    spec = MappingSpec("Relay", "Relay", STREAM_ARN, "dynamodb", 4, batching_window=0.4)
    poller = StreamPoller(spec, runtime, lambda _: streams, "ap-southeast-3",  # type: ignore[arg-type]
                          PollerSettings(), on_failure=lambda _: None)
    shard = _Shard("shard-1", "iterator")
    streams.records = [moto_record(1, "INSERT", "EV#1"), moto_record(2, "INSERT", "EV#2")]
    assert poller._process(shard) is False and runtime.batches == []  # two of four arrived: gathering
    streams.records += [moto_record(3, "MODIFY", "EV#1"), moto_record(4, "MODIFY", "EV#2"),
                        moto_record(5, "MODIFY", "EV#3")]
    assert poller._process(shard) is True  # topped up to four: full, goes at once
    assert [[r["dynamodb"]["SequenceNumber"] for r in batch] for batch in runtime.batches] == [["1", "2", "3", "4"]]
    assert poller._process(shard) is True  # nothing more arrived for the leftover: it goes
    streams.records.append(moto_record(6, "MODIFY", "EV#4"))
    assert poller._process(shard) is False  # a new arrival: gathering again
    streams.records.append(moto_record(7, "MODIFY", "EV#5"))
    assert poller._process(shard) is False  # still arriving
    time.sleep(0.45)
    streams.records.append(moto_record(8, "MODIFY", "EV#6"))
    assert poller._process(shard) is True  # still arriving, but the window is over
    assert [[r["dynamodb"]["SequenceNumber"] for r in batch] for batch in runtime.batches][1:] == [
        ["5"], ["6", "7", "8"]]
    assert poller._process(shard) is False and shard.gathering_since is None

class FailingRuntime(Runtime):
    """Fails every record; postpones the first through ChangeMessageVisibility, as the sender does."""

    def invoke(self, function: str, event: dict[str, Any]) -> None:
        super().invoke(function, event)
        with mock_aws():
            sqs = boto3.client("sqs", region_name="ap-southeast-3")
            url = sqs.create_queue(QueueName="postponed")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="{}")
            handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=30)
        event["Records"][0]["receiptHandle"] = handle  # what the poller will be asked to retry
        raise FunctionError("Worker", "transient")


def test_a_message_the_function_postponed_is_not_retried_early() -> None:
    install_visibility_notes()
    poller, _, _ = sqs_poller([2], window=0.0, settings=PollerSettings())
    poller._runtime = FailingRuntime()  # type: ignore[assignment]
    retried: list[str] = []
    poller._queue.retry_later = retried.extend  # type: ignore[method-assign,assignment]
    poller.poll_once()
    assert retried == ["r1"]  # r0 stays as the function set it (30 s); r1 comes back after the local delay
    assert set_by_function(["r0", "r1"]) == set()  # the batch's notes are gone


def test_visibility_notes_are_taken_once() -> None:
    install_visibility_notes()
    with mock_aws():
        sqs = boto3.client("sqs", region_name="ap-southeast-3")
        url = sqs.create_queue(QueueName="work")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="a")
        sqs.send_message(QueueUrl=url, MessageBody="b")
        handles = [m["ReceiptHandle"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]]
        sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "0", "ReceiptHandle": handles[0], "VisibilityTimeout": 20}])
        assert set_by_function(handles) == {handles[0]}
        assert set_by_function(handles) == set()
