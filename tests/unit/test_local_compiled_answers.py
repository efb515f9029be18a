"""Local mode's compiled DynamoDB answers equal moto's serialiser byte for byte: every answer below is
serialised both ways (check mode) over a corpus of requests with every attribute type, the hot operations
and their options; a difference fails the call."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra import emulation
from infra.local import compiled_answers
from infra.local.compiled_answers import COUNTS, install_compiled_answers, uninstall_compiled_answers

TABLE = "aduan-tickets-answers"


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock.patch.dict(os.environ, emulation.credentials()), mock_aws():
        os.environ.pop("AWS_ENDPOINT_URL", None)
        install_compiled_answers(check=True)
        try:
            emulation.create_table("TicketsTable", TABLE, stream=True)
            yield boto3.client("dynamodb")
        finally:
            uninstall_compiled_answers()


EVERY_TYPE = {
    "pk": {"S": "T#ADU-1"}, "sk": {"S": "META"}, "queue_pk": {"S": "Q#dpu"},
    "urgency_sk": {"S": "2026-12-01T00:00:00Z"},
    "text": {"S": "Lampu jalan mati — gelap sekali \"kutip\" \\ / ünïcödé 🚧"}, "empty": {"S": ""},
    "n": {"N": "-12.500"}, "big": {"N": "123456789012345678901234567890"}, "blob": {"B": b"\x00\xff\x10"},
    "strings": {"SS": ["b", "a"]}, "numbers": {"NS": ["1", "2.5"]}, "blobs": {"BS": [b"\x01", b"\x02"]},
    "flag": {"BOOL": False}, "nothing": {"NULL": True},
    "nested": {"M": {"list": {"L": [{"S": "x"}, {"N": "1"}, {"M": {}}, {"L": []}, {"BOOL": True}]},
                     "dotted.name": {"S": "y"}}},
}


def test_the_hot_operations_answer_as_moto_does(dynamodb: Any) -> None:
    before = dict(COUNTS)
    key = {"pk": EVERY_TYPE["pk"], "sk": EVERY_TYPE["sk"]}
    dynamodb.put_item(TableName=TABLE, Item=EVERY_TYPE)
    dynamodb.put_item(TableName=TABLE, Item=EVERY_TYPE, ReturnValues="ALL_OLD", ReturnConsumedCapacity="TOTAL")
    assert dynamodb.get_item(TableName=TABLE, Key=key)["Item"] == EVERY_TYPE
    dynamodb.get_item(TableName=TABLE, Key=key, ProjectionExpression="#t, nested.#l",
                      ExpressionAttributeNames={"#t": "text", "#l": "list"}, ReturnConsumedCapacity="INDEXES")
    dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "none"}, "sk": {"S": "none"}})
    for n in range(5):
        dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "T#ADU-1"}, "sk": {"S": f"E#{n}"}, "n": {"N": str(n)},
                                                 "queue_pk": {"S": "Q#dpu"}, "urgency_sk": {"S": f"2026-12-0{n + 1}"}})
    page = dynamodb.query(TableName=TABLE, KeyConditionExpression="pk = :p", Limit=2,
                          ExpressionAttributeValues={":p": {"S": "T#ADU-1"}}, ReturnConsumedCapacity="TOTAL")
    assert "LastEvaluatedKey" in page
    dynamodb.query(TableName=TABLE, KeyConditionExpression="pk = :p", ExclusiveStartKey=page["LastEvaluatedKey"],
                   ExpressionAttributeValues={":p": {"S": "T#ADU-1"}}, ScanIndexForward=False)
    dynamodb.query(TableName=TABLE, KeyConditionExpression="pk = :p", Select="COUNT",
                   ExpressionAttributeValues={":p": {"S": "T#ADU-1"}})
    dynamodb.query(TableName=TABLE, IndexName="queue_by_urgency", KeyConditionExpression="queue_pk = :q",
                   FilterExpression="attribute_exists(n)", ExpressionAttributeValues={":q": {"S": "Q#dpu"}})
    for returns in ("NONE", "ALL_NEW", "ALL_OLD", "UPDATED_NEW", "UPDATED_OLD"):
        dynamodb.update_item(TableName=TABLE, Key=key, UpdateExpression="SET n = n + :one, tags = :t REMOVE flag",
                             ExpressionAttributeValues={":one": {"N": "1"}, ":t": {"SS": ["z"]}}, ReturnValues=returns)
    dynamodb.batch_write_item(RequestItems={TABLE: [
        {"PutRequest": {"Item": {"pk": {"S": "T#ADU-2"}, "sk": {"S": "META"}, "blob": {"B": b"\x07"}}}},
        {"DeleteRequest": {"Key": {"pk": {"S": "T#ADU-1"}, "sk": {"S": "E#0"}}}}]}, ReturnConsumedCapacity="TOTAL")
    dynamodb.batch_get_item(RequestItems={TABLE: {"Keys": [key, {"pk": {"S": "T#ADU-2"}, "sk": {"S": "META"}}]}})
    dynamodb.transact_write_items(TransactItems=[
        {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "T#ADU-3"}, "sk": {"S": "META"}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": TABLE, "Key": key, "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"L": [{"S": "a"}]}}}},
        {"ConditionCheck": {"TableName": TABLE, "Key": {"pk": {"S": "T#ADU-1"}, "sk": {"S": "E#2"}},
                            "ConditionExpression": "attribute_exists(pk)"}},
        {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "T#ADU-1"}, "sk": {"S": "E#1"}}}}])
    dynamodb.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE, "Key": key}}])
    dynamodb.delete_item(TableName=TABLE, Key={"pk": {"S": "T#ADU-2"}, "sk": {"S": "META"}}, ReturnValues="ALL_OLD")
    with pytest.raises(ClientError) as refused:
        dynamodb.put_item(TableName=TABLE, Item=EVERY_TYPE, ConditionExpression="attribute_not_exists(pk)",
                          ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert COUNTS["compiled"] - before["compiled"] >= 20  # the corpus went through the compiled path


def test_check_mode_fails_a_call_whose_answers_differ(dynamodb: Any) -> None:
    wrong = '{"Item": {}}'
    with mock.patch.object(compiled_answers, "compiled_body", return_value=wrong), pytest.raises(Exception) as failed:
        dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "none"}, "sk": {"S": "none"}})
    assert "moto's" in str(failed.value) or isinstance(failed.value, compiled_answers.AnswerMismatch)


BODY = "Lampu jalan mati — gelap sekali \"kutip\" \\ / ünïcödé 🚧"


def _compiled_answers(call: Any) -> int:
    """How many answers `call()` got through the compiled encoders."""
    before = COUNTS["compiled"]
    call()
    return COUNTS["compiled"] - before


def test_stream_reads_answer_as_moto_does(dynamodb: Any) -> None:
    streams = boto3.client("dynamodbstreams")
    arn = dynamodb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    key = {"pk": EVERY_TYPE["pk"], "sk": EVERY_TYPE["sk"]}
    dynamodb.put_item(TableName=TABLE, Item=EVERY_TYPE)
    dynamodb.update_item(TableName=TABLE, Key=key, UpdateExpression="SET n = :n REMOVE #b",
                         ExpressionAttributeNames={"#b": "blob"},
                         ExpressionAttributeValues={":n": {"N": "7"}})
    dynamodb.delete_item(TableName=TABLE, Key=key)
    streams.list_streams(TableName=TABLE)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    answers: dict[str, Any] = {}
    assert _compiled_answers(lambda: answers.update(streams.get_records(ShardIterator=iterator, Limit=2))) == 1
    assert [r["eventName"] for r in answers["Records"]] == ["INSERT", "MODIFY"]
    assert answers["Records"][0]["dynamodb"]["NewImage"] == EVERY_TYPE
    rest = streams.get_records(ShardIterator=answers["NextShardIterator"])
    assert [r["eventName"] for r in rest["Records"]] == ["REMOVE"]
    assert streams.get_records(ShardIterator=rest["NextShardIterator"])["Records"] == []


def test_queue_answers_as_moto_does(dynamodb: Any) -> None:
    sqs = boto3.client("sqs")
    dead = sqs.create_queue(QueueName="answers-dlq")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName="answers", Attributes={
        "RedrivePolicy": f'{{"deadLetterTargetArn": "{dead_arn}", "maxReceiveCount": "3"}}'})["QueueUrl"]
    fifo = sqs.create_queue(QueueName="answers.fifo", Attributes={"FifoQueue": "true",
                                                                  "ContentBasedDeduplication": "true"})["QueueUrl"]
    sqs.get_queue_url(QueueName="answers")
    sqs.list_queues(QueueNamePrefix="answers")
    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    sqs.send_message(QueueUrl=url, MessageBody=BODY)
    sqs.send_message(QueueUrl=url, MessageBody='{"detail": {"n": 1}}', DelaySeconds=0, MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "filed"}, "n": {"DataType": "Number", "StringValue": "2"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}})
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "satu"},
                                                  {"Id": "b", "MessageBody": "dua"}])
    sqs.send_message(QueueUrl=fifo, MessageBody="urut", MessageGroupId="g1")
    received: list[Any] = []

    def receive(queue: str) -> None:
        received.extend(sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                            MessageSystemAttributeNames=["All"],
                                            MessageAttributeNames=["All"]).get("Messages", []))

    assert _compiled_answers(lambda: receive(url)) == 1
    assert _compiled_answers(lambda: receive(fifo)) == 1
    assert len(received) == 5 and received[-1]["Attributes"]["MessageGroupId"] == "g1"
    assert {m["Body"] for m in received} >= {"satu", "dua", BODY}
    sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)  # nothing visible: an empty answer
    sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0, AttributeNames=["SentTimestamp"])
    handles = [m["ReceiptHandle"] for m in received[:4]]
    sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "0", "ReceiptHandle": handles[0], "VisibilityTimeout": 0},
        {"Id": "x", "ReceiptHandle": "not-a-handle", "VisibilityTimeout": 0}])
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handles[1], VisibilityTimeout=5)
    sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "ReceiptHandle": h} for n, h in enumerate(handles)])
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=received[-1]["ReceiptHandle"])
    with pytest.raises(ClientError) as missing:
        sqs.get_queue_url(QueueName="no-such-queue")
    assert "NonExistentQueue" in missing.value.response["Error"]["Code"]
