"""Every change's domain event reaches the bus even when a process dies between steps."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import boto3
import pytest

from conftest import BUS, TABLES, Api, Context


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
    table = boto3.client("dynamodb").describe_table(TableName=TABLES["TicketsTable"])["Table"]
    streams = boto3.client("dynamodbstreams")
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=table["LatestStreamArn"])["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=table["LatestStreamArn"], ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for record in streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]:
            if record["eventName"] == "INSERT" and record["dynamodb"]["Keys"]["sk"]["S"].startswith("EV#"):
                record["eventSourceARN"] = table["LatestStreamArn"]
                records.append(json.loads(json.dumps(record, default=str)))
    return records


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

    real_publish = event_bus.publish
    calls = {"n": 0}

    def flaky(entries: list[dict[str, Any]]) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise event_bus.PublishFailed("throttled")
        real_publish(entries)

    with mock.patch.object(event_bus, "publish", flaky):
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
    assert len(events) == 4  # one event was delivered twice; its id lets consumers drop the repeat


def test_a_refused_transaction_writes_no_event(api: Api) -> None:
    code = api.file()["tracking_code"]
    assert api.act("verifier", code, "verify", 1).status == 200
    assert api.act("verifier", code, "hold", 1, note="late").status == 409
    assert [r["dynamodb"]["NewImage"]["event_type"]["S"] for r in outbox_records()] == [
        "TicketCreated", "TicketVerified"]
