"""DynamoDB stream records from moto, brought to the shape Lambda delivers.

moto's records say eventVersion 1.0 and region us-east-1, carry a datetime creation time and, for an
UpdateItem that creates an item, come as two INSERTs (keys only, then the full item). Lambda's
records have eventVersion 1.1, the stream's region, epoch seconds, the stream ARN, and DynamoDB
never emits two INSERTs for one key without a REMOVE in between: the first of such a pair is dropped.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any


def to_lambda_record(record: Mapping[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    stream = dict(record["dynamodb"])
    created = stream.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        stream["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": _jsonable(stream),
        "eventSourceARN": stream_arn,
    }


def drop_duplicate_inserts(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop an INSERT that is followed by another INSERT of the same key (moto's UpdateItem quirk)."""
    kept: list[dict[str, Any]] = []
    open_inserts: dict[str, int] = {}  # key -> index in kept of its pending INSERT
    for record in records:
        key = json.dumps(record["dynamodb"].get("Keys"), sort_keys=True)
        if record["eventName"] == "INSERT" and key in open_inserts:
            kept[open_inserts[key]] = {}  # superseded
        kept.append(record)
        if record["eventName"] == "INSERT":
            open_inserts[key] = len(kept) - 1
        else:
            open_inserts.pop(key, None)
    return [record for record in kept if record]


def _jsonable(value: Any) -> Any:
    # boto3 decodes binary attributes (B, BS) to bytes; Lambda's JSON event carries base64 text.
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(item) for item in value]
    return value
