"""Cost of a sweep grows with what is due, not with open tickets: the real sparse-index query reads
only due items (1,000 open clocks not due + 10 due here; `docs/sla.md`)."""

from __future__ import annotations

from typing import Any

import boto3

from aduan.dal.sla_store import SHARDS, SlaStore, shard_of
from tests.integration.conftest import TABLES


def _clock_item(code: str, next_at: str) -> dict[str, Any]:
    return {"pk": {"S": f"T#{code}"}, "sk": {"S": "#SLA"}, "ticket_id": {"S": code}, "tracking_code": {"S": code},
            "rev": {"N": "1"}, "applied_version": {"N": "1"}, "clocks": {"M": {}},
            "sla_shard": {"S": shard_of(code)}, "sla_next_at": {"S": next_at}}


def test_a_sweep_reads_only_the_due_clocks(aws: None) -> None:
    db = boto3.client("dynamodb")
    items = [_clock_item(f"ADU-FUT{n:04d}", "2027-06-01T00:00:00.000000Z") for n in range(1000)]
    items += [_clock_item(f"ADU-DUE{n:04d}", "2026-11-23T01:00:00.000000Z") for n in range(10)]
    for start in range(0, len(items), 25):
        db.batch_write_item(RequestItems={TABLES["TicketsTable"]: [{"PutRequest": {"Item": item}}
                                                                   for item in items[start:start + 25]]})
    read = 0
    original = db.query

    calls: list[dict[str, Any]] = []
    store = SlaStore(TABLES["TicketsTable"], client=db)

    def counting_query(**request: Any) -> Any:
        answer = original(**request)
        calls.append(request)
        nonlocal read
        read += answer["ScannedCount"]
        return answer

    db.query = counting_query  # type: ignore[method-assign]
    due = list(store.due("2026-11-23T02:00:00.000000Z"))
    assert sorted(c.tracking_code for c in due) == [f"ADU-DUE{n:04d}" for n in range(10)]
    assert read == 10 and len(calls) == SHARDS
