"""The bench's recorder sees every call of every client, and prices DynamoDB calls from the stored items."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.bench.recorder import Recorder, kind_of

TABLE = "bench-recorder-test"


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    for name, value in {"AWS_DEFAULT_REGION": "ap-southeast-3", "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws(), Recorder().installed() as watching:
        boto3.client("dynamodb").create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "queue")],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[{"IndexName": "by_queue", "Projection": {"ProjectionType": "ALL"},
                                     "KeySchema": [{"AttributeName": "queue", "KeyType": "HASH"}]}],
        )
        watching.take()
        yield watching


def item(sk: str, size: int, **extra: str) -> dict[str, Any]:
    """pk "T#1" (2+3) + sk (2+len) + "d" (1) + padding = `size` bytes, plus `extra` string attributes."""
    padding = size - 5 - (2 + len(sk)) - 1
    return {"pk": {"S": "T#1"}, "sk": {"S": sk}, "d": {"S": "x" * padding},
            **{name: {"S": value} for name, value in extra.items()}}


def test_counts_reads_and_writes_per_operation(recorder: Recorder) -> None:
    db = boto3.client("dynamodb")
    db.put_item(TableName=TABLE, Item=item("#T", 1536))
    db.get_item(TableName=TABLE, Key={"pk": {"S": "T#1"}, "sk": {"S": "#T"}}, ConsistentRead=True)
    db.query(TableName=TABLE, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": "T#1"}})
    calls = recorder.take()
    assert [(call.service, call.operation, call.kind, call.target) for call in calls] == [
        ("dynamodb", "PutItem", "write", TABLE),
        ("dynamodb", "GetItem", "read", TABLE),
        ("dynamodb", "Query", "read", TABLE),
    ]
    put, get, query = (call.cost for call in calls)
    assert put is not None and put.wcu == 2 and put.index_wcu == {}
    assert get is not None and get.rcu == 1
    assert query is not None and query.rcu == 0.5  # eventually consistent
    assert calls[0].item_bytes == [1536]
    assert recorder.take() == []


def test_a_count_is_priced_on_the_items_it_reads(recorder: Recorder) -> None:
    db = boto3.client("dynamodb")
    for number in range(3):
        db.put_item(TableName=TABLE, Item=item(f"#T{number}", 3000, queue="OVERDUE#dpu"))
    recorder.take()
    counted = db.query(TableName=TABLE, IndexName="by_queue", Select="COUNT", KeyConditionExpression="#q = :q",
                       ExpressionAttributeNames={"#q": "queue"}, ExpressionAttributeValues={":q": {"S": "OVERDUE#dpu"}})
    assert counted["Count"] == 3 and "Items" not in counted
    (call,) = recorder.take()
    # 3 x 3 KB read (AWS bills what a count reads, though it returns none), eventually consistent: 9 KB -> 1.5
    assert call.cost is not None and call.cost.rcu == 1.5 and len(call.item_bytes) == 3


def test_prices_updates_transactions_and_index_maintenance(recorder: Recorder) -> None:
    db = boto3.client("dynamodb")
    db.put_item(TableName=TABLE, Item=item("#T", 2000, queue="DESK#received"))
    db.update_item(TableName=TABLE, Key={"pk": {"S": "T#1"}, "sk": {"S": "#T"}},
                   UpdateExpression="SET #q = :q, d = :d", ExpressionAttributeNames={"#q": "queue"},
                   ExpressionAttributeValues={":q": {"S": "AGENCY#dpu#assigned"}, ":d": {"S": "small"}})
    db.transact_write_items(TransactItems=[
        {"Put": {"TableName": TABLE, "Item": item("EV#1", 500)}},
        {"Put": {"TableName": TABLE, "Item": item("EV#2", 500)}},
    ])
    put, update, transaction = (call.cost for call in recorder.take())
    assert put is not None and put.wcu == 2 and put.index_wcu == {"by_queue": 2}
    # the old 2000-byte item is the larger; the index key changed: delete (2 KB entry) + put (small entry)
    assert update is not None and update.wcu == 2 and update.index_wcu == {"by_queue": 2 + 1}
    assert transaction is not None and transaction.wcu == 4 and transaction.index_wcu == {}


def test_a_refused_write_is_recorded_with_its_error(recorder: Recorder) -> None:
    db = boto3.client("dynamodb")
    db.put_item(TableName=TABLE, Item=item("#T", 100))
    with pytest.raises(ClientError):
        db.put_item(TableName=TABLE, Item=item("#T", 100), ConditionExpression="attribute_not_exists(pk)")
    refused = recorder.take()[-1]
    assert refused.error == "ConditionalCheckFailedException"
    assert refused.cost is not None and refused.cost.wcu == 1


def test_watches_clients_of_other_sessions_and_services(recorder: Recorder) -> None:
    # Powertools builds its client from its own boto3 Session: that one must be counted too.
    boto3.session.Session().client("dynamodb").describe_table(TableName=TABLE)
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bench-bucket", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"})
    s3.generate_presigned_post(Bucket="bench-bucket", Key="k")  # signed locally: no call
    calls = recorder.take()
    assert [(call.service, call.operation, call.kind) for call in calls] == [
        ("dynamodb", "DescribeTable", "read"), ("s3", "CreateBucket", "write")]
    assert calls[1].cost is None


def test_clients_made_after_uninstall_are_not_watched(recorder: Recorder) -> None:
    recorder.uninstall()
    boto3.client("dynamodb").describe_table(TableName=TABLE)
    assert recorder.take() == []


def test_read_and_write_operation_names() -> None:
    assert [kind_of(name) for name in ("GetItem", "Query", "TransactGetItems", "ListTables")] == ["read"] * 4
    assert [kind_of(name) for name in ("PutItem", "TransactWriteItems", "PutEvents", "UpdateItem")] == ["write"] * 4
