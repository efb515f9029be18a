"""Partial batch responses: only the records that raised are reported for retry."""

from __future__ import annotations

from typing import Any

from aduan.sqs_batch import partial_batch


def test_only_failed_records_are_reported() -> None:
    seen: list[str] = []

    def handle(record: dict[str, Any]) -> None:
        seen.append(record["messageId"])
        if record["body"] == "bad":
            raise ValueError("poison")

    event = {"Records": [{"messageId": "a", "body": "ok"}, {"messageId": "b", "body": "bad"},
                         {"messageId": "c", "body": "ok"}]}
    assert partial_batch(event, handle) == {"batchItemFailures": [{"itemIdentifier": "b"}]}
    assert seen == ["a", "b", "c"]  # one bad record does not stop the others
    assert partial_batch({"Records": []}, handle) == {"batchItemFailures": []}
