"""Handlers for the local-mode wiring test stack (template.yaml here).

Every call is recorded in RECORDER, which the test reads through the module local mode loaded
(LocalStack.runtime.handler_module). Items and events carry `fail_times`: the handler reports
that record as failed on its first `fail_times` deliveries.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.deliveries: Counter[str] = Counter()
        self._changed = threading.Condition()

    def add(self, kind: str, payload: Any) -> None:
        with self._changed:
            self.calls.append((kind, payload))
            self._changed.notify_all()

    def delivered(self, key: str) -> int:
        with self._changed:
            self.deliveries[key] += 1
            return self.deliveries[key]

    def of(self, kind: str) -> list[Any]:
        with self._changed:
            return [payload for recorded, payload in self.calls if recorded == kind]

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        with self._changed:
            if not self._changed.wait_for(condition, timeout):
                raise TimeoutError(f"condition not met within {timeout} s; calls: {self.calls!r}")


RECORDER = Recorder()


def api(event: dict[str, Any], context: Any) -> dict[str, Any]:
    RECORDER.add("api", event)
    if event["path"] == "/boom":
        raise RuntimeError("boom")
    if event["path"] == "/binary":
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "application/octet-stream"},
            "body": base64.b64encode(b"\x00\xffraw").decode(),
            "isBase64Encoded": True,
        }
    authorizer = event["requestContext"].get("authorizer") or {}
    body = {
        "resource": event["resource"],
        "path_parameters": event["pathParameters"],
        "claims": authorizer.get("claims"),
        "table": os.environ["TABLE_NAME"],
        "function": context.function_name,
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "X-Single": "one"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": json.dumps(body),
    }


def stream(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures = []
    for record in event["Records"]:
        image = record["dynamodb"].get("NewImage", {})
        key = record["dynamodb"]["Keys"]["sk"]["S"]
        attempt = RECORDER.delivered(f"stream:{key}")
        RECORDER.add("stream", record)
        if attempt <= int(image.get("fail_times", {}).get("N", "0")):
            failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
    return {"batchItemFailures": failures}


def work(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures = []
    for record in event["Records"]:
        detail = json.loads(record["body"])["detail"]
        attempt = RECORDER.delivered(f"work:{detail['key']}")
        RECORDER.add("work", record)
        if attempt <= detail.get("fail_times", 0):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def notify(event: dict[str, Any], context: Any) -> None:
    RECORDER.add("notify", event)


def tick(event: dict[str, Any], context: Any) -> dict[str, Any]:
    RECORDER.add("tick", event)
    return {"ticked": True}
