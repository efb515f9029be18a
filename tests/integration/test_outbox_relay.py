"""Every change's domain event reaches the bus even when a process dies between steps."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import boto3
import pytest

from conftest import BUS, TABLES, Api, Context
from infra import emulation


@pytest.fixture
def bus_queue(aws: None) -> str:
    sqs, events = boto3.client("sqs"), boto3.client("events")
    url = sqs.create_queue(QueueName="captured-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="capture", EventBusName=BUS, EventPattern=json.dumps({"source": ["aduan.tickets"]}))
    events.put_targets(Rule="capture", EventBusName=BUS, Targets=[{"Id": "q", "Arn": arn}])
    return str(url)


def outbox_records() -> list[dict[str, Any]]:
    """The stream records the template's filter passes: inserts of `EV#` items."""
    return emulation.outbox_records(TABLES["TicketsTable"])


def relay(records: list[dict[str, Any]]) -> dict[str, Any]:
    from aduan.handlers.event_relay import handler

    return dict(handler({"Records": records}, Context()))  # type: ignore[arg-type]


def published(queue_url: str) -> list[dict[str, Any]]:
    sqs, found = boto3.client("sqs"), []
    while True:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return found
        found += [json.loads(message["Body"]) for message in batch]


def test_relay_publishes_each_timeline_entry_as_a_domain_event(api: Api, bus_queue: str) -> None:
    code = api.file()["tracking_code"]
    api.act("verifier", code, "verify", 1)
    api.act("verifier", code, "assign", 2, agency_id="dpu")
    assert relay(outbox_records()) == {"batchItemFailures": []}
    events = published(bus_queue)
    assert [event["detail-type"] for event in events] == ["TicketCreated", "TicketVerified", "TicketAssigned"]
    assigned = events[-1]["detail"]
    assert assigned["tracking_code"] == code and assigned["data"]["agency_id"] == "dpu"
    assert assigned["ticket"]["status"] == "assigned" and assigned["ticket"]["assigned_agency_id"] == "dpu"
    assert assigned["actor"] == {"role": "verifier", "id": "verifier-1"}
    assert len({event["detail"]["event_id"] for event in events}) == 3


def test_crash_after_the_write_loses_no_event(api: Api, bus_queue: str) -> None:
    """The API process dies right after DynamoDB committed: the client sees an error, the event survives."""
    from aduan.services.tickets import TicketService

    original = TicketService._view

    def die(*args: Any, **kwargs: Any) -> Any:
        raise SystemError("process killed after the write")

    with mock.patch.object(TicketService, "_view", die):
        reply = api("POST", "/v1/complaints", {"title": "Banjir di Kaligawe",
                                               "text": "Air setinggi lutut, jalan tidak bisa dilewati."})
    assert reply.status == 500 and reply.body["error"]["code"] == "internal_error"
    TicketService._view = original  # type: ignore[method-assign]
    relay(outbox_records())
    [event] = published(bus_queue)
    assert event["detail-type"] == "TicketCreated" and event["detail"]["ticket"]["status"] == "received"


def test_publish_failure_is_retried_from_the_failed_record(api: Api, bus_queue: str) -> None:
    """EventBridge fails mid-batch: the relay reports that record, the stream redelivers from it on,
    and consumers deduplicate what was published twice by event id."""
    code = api.file()["tracking_code"]
    api.act("verifier", code, "verify", 1)
    api.act("verifier", code, "hold", 2, note="Cek lapangan")
    records = outbox_records()
    from aduan.dal import event_bus

    real_publish = event_bus.publish_batch

    def second_refused(entries: list[dict[str, Any]]) -> list[int]:
        # EventBridge accepts the first entry of the call and throttles the rest.
        assert real_publish(entries[:1]) == []
        return list(range(1, len(entries)))

    with mock.patch.object(event_bus, "publish_batch", second_refused):
        answer = relay(records)
    failed = [item["itemIdentifier"] for item in answer["batchItemFailures"]]
    assert failed == [records[1]["dynamodb"]["SequenceNumber"]]
    # Lambda's stream source re-delivers from the first failed record.
    retry_from = next(i for i, record in enumerate(records) if record["dynamodb"]["SequenceNumber"] == failed[0])
    assert relay(records[retry_from:]) == {"batchItemFailures": []}
    events = published(bus_queue)
    unique = {event["detail"]["event_id"]: event for event in events}
    in_order = sorted(unique.values(), key=lambda event: event["detail"]["occurred_at"])
    assert [event["detail-type"] for event in in_order] == [
        "TicketCreated", "TicketVerified", "TicketStatusChanged"]
    assert len(events) == 3  # nothing refused was published; a repeat would be dropped by its event id


def test_a_refused_transaction_writes_no_event(api: Api) -> None:
    code = api.file()["tracking_code"]
    assert api.act("verifier", code, "verify", 1).status == 200
    assert api.act("verifier", code, "hold", 1, note="late").status == 409
    from aduan.dal import codec
    from aduan.logic.domain_events import bus_entries

    assert [entry["DetailType"] for record in outbox_records()
            for entry in bus_entries(codec.from_item(record["dynamodb"]["NewImage"]), BUS)] == [
        "TicketCreated", "TicketVerified"]


def test_relay_publishes_ten_per_call_in_stream_order(api: Api, bus_queue: str) -> None:
    codes = [api.file()["tracking_code"] for _ in range(12)]
    records = outbox_records()
    from aduan.dal import event_bus

    real_publish, sizes = event_bus.publish_batch, []

    def counting(entries: list[dict[str, Any]]) -> list[int]:
        sizes.append(len(entries))
        return real_publish(entries)

    with mock.patch.object(event_bus, "publish_batch", counting):
        assert relay(records) == {"batchItemFailures": []}
    assert sizes == [10, 2]
    assert sorted(event["detail"]["tracking_code"] for event in published(bus_queue)) == sorted(codes)


def test_an_unreachable_bus_fails_the_batch_from_its_first_unpublished_record(api: Api, bus_queue: str) -> None:
    for _ in range(3):
        api.file()
    records = outbox_records()
    from aduan.dal import event_bus

    with mock.patch.object(event_bus, "publish_batch", side_effect=ConnectionError("endpoint unreachable")):
        answer = relay(records)
    assert answer == {"batchItemFailures": [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]}
    assert published(bus_queue) == []
