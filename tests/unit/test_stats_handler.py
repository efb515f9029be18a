"""The statistics handler under AWS faults: a batch that met a busy AWS, or that comes back after part of it
was counted, is counted one message at a time, so only the failing messages come back (not the whole
batch, again and again, each time refused event by event)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from aduan.handlers import stats as handler
from infra.emulation import Context

THROTTLED = ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "UpdateItem")


def batch(count: int, receive_count: int = 1) -> dict[str, Any]:
    def body(n: int) -> str:
        return json.dumps({"id": f"env-{n}", "source": "aduan.tickets", "detail-type": "TicketCreated",
                           "detail": {"event_id": f"evt-{n}", "ticket_id": f"T{n}", "tracking_code": f"SMG-{n}",
                                      "occurred_at": "2026-11-23T01:00:00.000000Z", "ticket_version": 1}})

    return {"Records": [{"messageId": f"m{n}", "receiptHandle": f"r{n}", "body": body(n), "md5OfBody": "",
                         "attributes": {"ApproximateReceiveCount": str(receive_count)}, "messageAttributes": {},
                         "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:ap-southeast-3:1:q",
                         "awsRegion": "ap-southeast-3"} for n in range(count)]}


class Counter:
    """The statistics service: AWS is busy for the folded batch and for the tickets in `busy`."""

    def __init__(self, busy: set[str]) -> None:
        self.busy = busy
        self.folded = 0
        self.single: list[str] = []

    def record_batch(self, events: list[Any]) -> list[bool]:
        self.folded += 1
        raise THROTTLED

    def record(self, event: Any) -> bool:
        self.single.append(event.ticket_id)
        if event.ticket_id in self.busy:
            raise THROTTLED
        return True


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> Counter:
    found = Counter(busy={"T3"})
    monkeypatch.setattr(handler, "stats_counter", lambda: found)
    return found


def test_a_busy_aws_fails_only_the_messages_it_failed(counter: Counter) -> None:
    answer = handler.handler(batch(5), Context())
    assert counter.folded == 1 and counter.single == ["T0", "T1", "T2", "T3", "T4"]
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m3"}]}


def test_a_batch_delivered_again_is_counted_one_message_at_a_time(counter: Counter) -> None:
    answer = handler.handler(batch(5, receive_count=2), Context())
    assert counter.folded == 0 and counter.single == ["T0", "T1", "T2", "T3", "T4"]
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m3"}]}


def test_anything_else_fails_the_invocation(monkeypatch: pytest.MonkeyPatch, counter: Counter) -> None:
    def broken(events: list[Any]) -> list[bool]:
        raise ClientError({"Error": {"Code": "ValidationException", "Message": "bad"}}, "UpdateItem")

    monkeypatch.setattr(counter, "record_batch", broken)
    with pytest.raises(ClientError):
        handler.handler(batch(2), Context())
