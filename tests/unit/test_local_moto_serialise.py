"""Local moto answers one DynamoDB request at a time (its transactions copy and restore whole tables);
other services stay concurrent."""

from __future__ import annotations

import threading
import time
from typing import Any

from infra.local.moto_server import serialise_dynamodb


def test_dynamodb_requests_do_not_overlap_but_others_may() -> None:
    active, peak = {"dynamodb": 0, "sqs": 0}, {"dynamodb": 0, "sqs": 0}
    guard = threading.Lock()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        kind = "dynamodb" if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB") else "sqs"
        with guard:
            active[kind] += 1
            peak[kind] = max(peak[kind], active[kind])
        time.sleep(0.05)
        with guard:
            active[kind] -= 1
        return [b"{}"]

    wrapped = serialise_dynamodb(app)
    targets = ["DynamoDB_20120810.TransactWriteItems"] * 4 + ["AmazonSQS.SendMessage"] * 4
    threads = [threading.Thread(target=wrapped, args=({"HTTP_X_AMZ_TARGET": t}, None)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak["dynamodb"] == 1 and peak["sqs"] > 1
