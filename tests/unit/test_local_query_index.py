"""Local mode's queries read one partition (or an index's candidates), and answer exactly what moto's
whole-table walk answers, whatever was put, moved between index values, deleted or rolled back."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws

from infra import emulation
from infra.local.query_index import install_partition_reads
from infra.local.transactions import install_undo_journal

TABLE = "aduan-tickets-partitions"
QUEUES = ("Q#dpu", "Q#dinsos", "Q#pdam")


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock.patch.dict(os.environ, emulation.credentials()), mock_aws():
        os.environ.pop("AWS_ENDPOINT_URL", None)
        install_undo_journal()
        install_partition_reads()
        emulation.create_table("TicketsTable", TABLE, stream=False)
        yield boto3.client("dynamodb")


def _query(client: Any, **request: Any) -> list[dict[str, Any]]:
    return list(client.query(TableName=TABLE, **request)["Items"])


def test_partition_and_index_queries_agree_with_the_items(dynamodb: Any) -> None:
    shuffle = random.Random(7)
    truth: dict[tuple[str, str], dict[str, Any]] = {}
    for step in range(300):
        pk, sk = f"T#{shuffle.randrange(40)}", shuffle.choice(["META", "EV#1", "EV#2"])
        move = shuffle.random()
        if move < 0.5:
            item = {"pk": {"S": pk}, "sk": {"S": sk}, "queue_pk": {"S": shuffle.choice(QUEUES)},
                    "due_sk": {"S": f"2026-12-01T00:{step // 60:02d}:{step % 60:02d}Z"}}
            dynamodb.put_item(TableName=TABLE, Item=item)
            truth[(pk, sk)] = item
        elif move < 0.75 and (pk, sk) in truth:
            queue = shuffle.choice(QUEUES)
            dynamodb.update_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}},
                                 UpdateExpression="SET queue_pk = :q", ExpressionAttributeValues={":q": {"S": queue}})
            truth[(pk, sk)]["queue_pk"] = {"S": queue}
        elif move < 0.9:
            dynamodb.delete_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}})
            truth.pop((pk, sk), None)
        elif (pk, sk) in truth:  # moved, then rolled back by a failing condition
            with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
                dynamodb.transact_write_items(TransactItems=[
                    {"Update": {"TableName": TABLE, "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
                                "UpdateExpression": "SET queue_pk = :q",
                                "ExpressionAttributeValues": {":q": {"S": "Q#elsewhere"}}}},
                    {"ConditionCheck": {"TableName": TABLE, "Key": {"pk": {"S": "T#none"}, "sk": {"S": "META"}},
                                        "ConditionExpression": "attribute_exists(pk)"}}])
        if step % 25 == 0:
            for queue in (*QUEUES, "Q#elsewhere"):
                found = _query(dynamodb, IndexName="queue_by_due", KeyConditionExpression="queue_pk = :q",
                               ExpressionAttributeValues={":q": {"S": queue}})
                expected = sorted((i for i in truth.values() if i["queue_pk"]["S"] == queue),
                                  key=lambda i: (i["due_sk"]["S"], i["pk"]["S"], i["sk"]["S"]))
                assert [(i["pk"], i["sk"]) for i in found] == [(i["pk"], i["sk"]) for i in expected]
            for number in range(0, 40, 7):
                found = _query(dynamodb, KeyConditionExpression="pk = :pk",
                               ExpressionAttributeValues={":pk": {"S": f"T#{number}"}})
                assert [i["sk"]["S"] for i in found] == sorted(
                    sk for pk, sk in truth if pk == f"T#{number}")
