"""Event source record shapes and Lambda's partial batch response rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from infra.local.batch_response import WholeBatchFailed, failed_items
from infra.local.sqs_poller import filter_view, sqs_record
from infra.local.stream_records import drop_duplicate_inserts, to_lambda_record

IDS = ["m1", "m2", "m3"]


@pytest.mark.parametrize("response", [None, {}, "", {"batchItemFailures": []}, {"batchItemFailures": None}])
def test_full_success(response: Any) -> None:
    assert failed_items(response, IDS) == []


def test_reported_failures() -> None:
    response = {"batchItemFailures": [{"itemIdentifier": "m3"}, {"itemIdentifier": "m2"}]}
    assert failed_items(response, IDS) == ["m3", "m2"]


@pytest.mark.parametrize(
    "response",
    [
        [1],
        {"batchItemFailures": "m1"},
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": None}]},
        {"batchItemFailures": [{"id": "m1"}]},
        {"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]},
    ],
)
def test_invalid_responses_fail_the_whole_batch(response: Any) -> None:
    with pytest.raises(WholeBatchFailed):
        failed_items(response, IDS)


def moto_record(seq: int, event_name: str, sk: str, image: dict[str, Any] | None = None) -> dict[str, Any]:
    keys = {"pk": {"S": "T#1"}, "sk": {"S": sk}}
    return {
        "eventID": f"e{seq}",
        "eventName": event_name,
        "eventVersion": "1.0",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
            "Keys": keys,
            "NewImage": image or keys,
            "SequenceNumber": str(seq),
            "SizeBytes": 10,
            "StreamViewType": "NEW_IMAGE",
        },
    }


def test_stream_record_in_lambdas_shape() -> None:
    image = {"pk": {"S": "T#1"}, "sk": {"S": "EV#1"}, "blob": {"B": b"\x00\x01"}}
    record = to_lambda_record(moto_record(7, "INSERT", "EV#1", image), "arn:stream", "ap-southeast-3")
    assert record["eventVersion"] == "1.1" and record["awsRegion"] == "ap-southeast-3"
    assert record["eventSourceARN"] == "arn:stream" and record["eventSource"] == "aws:dynamodb"
    assert record["dynamodb"]["ApproximateCreationDateTime"] == 1_795_424_400
    assert record["dynamodb"]["NewImage"]["blob"] == {"B": "AAE="}
    assert record["dynamodb"]["SequenceNumber"] == "7"


def test_a_creating_update_yields_one_insert() -> None:
    full = {"pk": {"S": "T#1"}, "sk": {"S": "EV#2"}, "note": {"S": "hi"}}
    records = [
        moto_record(1, "INSERT", "EV#1"),
        moto_record(2, "INSERT", "EV#2"),  # moto: keys only...
        moto_record(3, "INSERT", "EV#2", full),  # ...then the full item
        moto_record(4, "REMOVE", "EV#1"),
        moto_record(5, "INSERT", "EV#1"),  # a genuine re-insert after a REMOVE
    ]
    kept = drop_duplicate_inserts(records)
    assert [record["eventID"] for record in kept] == ["e1", "e3", "e4", "e5"]


def test_sqs_record_shape() -> None:
    message = {
        "MessageId": "m1",
        "ReceiptHandle": "r1",
        "Body": '{"detail": {"k": 1}}',
        "MD5OfBody": "abc",
        "MD5OfMessageAttributes": "def",
        "Attributes": {
            "ApproximateReceiveCount": "2",
            "SentTimestamp": "1",
            "SenderId": "S",
            "ApproximateFirstReceiveTimestamp": "2",
            "MessageGroupId": "g",
        },
        "MessageAttributes": {
            "kind": {"StringValue": "x", "DataType": "String"},
            "raw": {"BinaryValue": b"\x01", "DataType": "Binary"},
        },
    }
    record = sqs_record(message, "arn:aws:sqs:ap-southeast-3:123456789012:q", "ap-southeast-3")
    assert record["messageId"] == "m1" and record["receiptHandle"] == "r1" and record["md5OfBody"] == "abc"
    assert (
        record["attributes"]["ApproximateReceiveCount"] == "2"
        and record["attributes"]["MessageGroupId"] == "g"
    )
    assert record["messageAttributes"]["kind"] == {
        "stringValue": "x",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert record["messageAttributes"]["raw"]["binaryValue"] == "AQ=="
    assert record["eventSource"] == "aws:sqs" and record["awsRegion"] == "ap-southeast-3"
    assert record["md5OfMessageAttributes"] == "def"
    assert filter_view(record)["body"] == {"detail": {"k": 1}}
