"""Local mode's TransactWriteItems keeps no table copies: a failed transaction puts back only the items it
touched, and leaves every item, index and stream record exactly as before."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws

from infra import emulation
from infra.local.transactions import install_undo_journal

TABLE = "aduan-tickets-journal"


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock.patch.dict(os.environ, emulation.credentials()), mock_aws():
        os.environ.pop("AWS_ENDPOINT_URL", None)
        install_undo_journal()
        emulation.create_table("TicketsTable", TABLE, stream=True)
        yield boto3.client("dynamodb")


def _ticket(code: str, queue: str, version: int) -> dict[str, Any]:
    return {"pk": {"S": f"T#{code}"}, "sk": {"S": "META"}, "queue_pk": {"S": f"Q#{queue}"},
            "due_sk": {"S": f"2026-12-01T00:00:0{version}Z"}, "version": {"N": str(version)}}


def _everything(client: Any) -> dict[str, Any]:
    """Items, what two indexes answer, and the stream's records: what a failed transaction must not change."""
    items = client.scan(TableName=TABLE)["Items"]
    by_queue = {queue: client.query(TableName=TABLE, IndexName="queue_by_due", KeyConditionExpression="queue_pk = :q",
                                    ExpressionAttributeValues={":q": {"S": queue}})["Items"]
                for queue in ("Q#dpu", "Q#dinsos")}
    arn = client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    return {"items": sorted(items, key=str), "by_queue": by_queue,
            "stream": [(r["eventName"], r["dynamodb"]["SequenceNumber"], r["dynamodb"]["Keys"]) for r in records]}


def test_a_transaction_whose_third_condition_fails_changes_nothing(dynamodb: Any) -> None:
    for code, queue in (("A", "dpu"), ("B", "dpu"), ("C", "dinsos")):
        dynamodb.put_item(TableName=TABLE, Item=_ticket(code, queue, 1))
    before = _everything(dynamodb)

    with pytest.raises(dynamodb.exceptions.TransactionCanceledException) as cancelled:
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": _ticket("D", "dinsos", 1),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            # Moves A to another queue: an index change that must be undone.
            {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "T#A"}, "sk": {"S": "META"}},
                        "UpdateExpression": "SET queue_pk = :q, version = :v",
                        "ConditionExpression": "version = :one",
                        "ExpressionAttributeValues": {":q": {"S": "Q#dinsos"}, ":v": {"N": "2"}, ":one": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": TABLE, "Key": {"pk": {"S": "T#B"}, "sk": {"S": "META"}},
                                "ConditionExpression": "version = :seven",
                                "ExpressionAttributeValues": {":seven": {"N": "7"}}}},
            {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "T#C"}, "sk": {"S": "META"}}}},
        ])

    reasons = [reason["Code"] for reason in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "ConditionalCheckFailed", "None"]
    assert _everything(dynamodb) == before


def test_a_successful_transaction_writes_every_item_and_streams_them(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=TABLE, Item=_ticket("A", "dpu", 1))
    dynamodb.transact_write_items(TransactItems=[
        {"Put": {"TableName": TABLE, "Item": _ticket("B", "dinsos", 1)}},
        {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "T#A"}, "sk": {"S": "META"}}}},
    ])
    after = _everything(dynamodb)
    assert [item["pk"]["S"] for item in after["items"]] == ["T#B"]
    assert [event for event, _, _ in after["stream"]] == ["INSERT", "INSERT", "REMOVE"]


def test_no_table_is_copied_whatever_its_size(dynamodb: Any) -> None:
    from moto.dynamodb.models.table import Table

    for code in range(50):
        dynamodb.put_item(TableName=TABLE, Item=_ticket(f"X{code}", "dpu", 1))
    copied: list[str] = []
    original = Table.__deepcopy__ if hasattr(Table, "__deepcopy__") else None

    def spy(self: Any, memo: Any) -> Any:
        copied.append(self.name)
        raise AssertionError("a table was deep-copied")

    with (mock.patch.object(Table, "__deepcopy__", spy, create=original is None),
          pytest.raises(dynamodb.exceptions.TransactionCanceledException)):
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": _ticket("X1", "dpu", 2),
                     "ConditionExpression": "attribute_not_exists(pk)"}}])
    assert copied == []
