"""What one SLA sweep costs when `open` tickets have running clocks and only `due` of them are due.

Real moto table from the template, real clocks items (written by the same code the tracker uses):
`due` complaints are filed through the API and their TicketCreated events applied by the tracker;
the other open clocks are written directly (building 100,000 tickets through the API would take
the bench hours under moto), each a running verification clock due in the future. Then "now" moves
past the due deadlines and the sweeper handler runs once, on the hour (so its hourly overdue counts
run too), with every AWS call recorded. A share of the open clocks is already overdue (breached, the
next escalation rung weeks away), as in a real city. The hourly overdue gauges read the per-agency counts
the clocks writes keep (`SLA#OVERDUE`, one Query; a `Select COUNT` on `sla_overdue` per agency read
every overdue clock, and DynamoDB bills the items a count reads); the fillers, written directly, get the
counts the clocks commit would have kept, outside the measured sweep. Every Query is counted: the items
the due-index queries read (ScannedCount, what DynamoDB bills) should be `due`, not `open`.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from infra.bench.harness import TABLES, aws, bench_context, rest_event
from infra.bench.recorder import Recorder

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB: on the hour, so the hourly counts run
OVERDUE_SHARE = 0.1  # open clocks already breached (escalated, next rung weeks away)
_BATCH = 25


def _filler_items(count: int, overdue: int) -> list[dict[str, Any]]:
    """`count` clocks items that are not due; the first `overdue` of them breached a week ago."""
    from aduan.dal.sla_store import SlaStore, clocks_item
    from aduan.logic import sla
    from aduan.models.sla import TicketClocks
    from aduan.models.sla_config import Stage

    policy = SlaStore(TABLES["TicketsTable"]).active_policy()
    waiting = TicketClocks(ticket_id="T", tracking_code="ADU-0000-00", category_id="jalan-rusak")
    sla.start_clock(waiting, Stage.VERIFICATION, NOW + timedelta(days=30), policy)
    late = TicketClocks(ticket_id="T", tracking_code="ADU-0000-00", category_id="jalan-rusak", agency_id="dpu")
    sla.start_clock(late, Stage.FIRST_RESPONSE, NOW - timedelta(days=20), policy)
    late.clocks[Stage.FIRST_RESPONSE] = late.clocks[Stage.FIRST_RESPONSE].model_copy(update={
        "breached_at": clock_text(NOW - timedelta(days=7)), "reminded": True, "rung": 1,
        "next_rung_at": clock_text(NOW + timedelta(days=30))})
    items = []
    for number in range(count):
        code = f"ADU-B{number:06d}"
        template = late if number < overdue else waiting
        items.append(clocks_item(template.model_copy(update={"ticket_id": code, "tracking_code": code})))
    return items


def clock_text(moment: datetime) -> str:
    from aduan.logic import clock

    return clock.to_storage(moment)


def _write(items: list[dict[str, Any]]) -> None:
    db: Any = boto3.client("dynamodb")
    for start in range(0, len(items), _BATCH):
        batch = items[start:start + _BATCH]
        request: Any = {TABLES["TicketsTable"]: [{"PutRequest": {"Item": item}} for item in batch]}
        while request:
            request = db.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}


def _count_overdue(items: list[dict[str, Any]]) -> None:
    """The overdue counts the clocks commit keeps (`SLA#OVERDUE`), for the fillers written around it."""
    from aduan.dal.sla_store import OVERDUE_COUNTS

    counts = Counter(item["overdue_pk"]["S"].partition("#")[2] for item in items if "overdue_pk" in item)
    _write([{"pk": {"S": OVERDUE_COUNTS}, "sk": {"S": agency}, "n": {"N": str(n)}} for agency, n in counts.items()])


def _counts() -> dict[str, int]:
    from aduan.dal.sla_store import SlaStore

    return SlaStore(TABLES["TicketsTable"]).overdue_counts()


def _file_due(count: int) -> list[str]:
    """File complaints through the API and hand their TicketCreated events to the tracker, as the rule does."""
    from aduan.dal import codec
    from aduan.handlers.api import handler as api
    from aduan.handlers.sla_tracker import handler as tracker
    from aduan.logic.domain_events import bus_entry

    body = {"title": "Lampu jalan mati", "text": "Lampu PJU di depan sekolah mati sejak minggu lalu.",
            "category_id": "pju-mati"}
    db = boto3.client("dynamodb")
    codes, messages = [], []
    for _ in range(count):
        answer = api(rest_event("POST", "/v1/complaints", body, "citizen"), bench_context())
        code = json.loads(answer["body"])["tracking_code"]
        codes.append(code)
        found = db.query(TableName=TABLES["TicketsTable"], KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
                         ExpressionAttributeValues={":pk": {"S": f"T#{code}"}, ":e": {"S": "EV#"}})
        for raw in found["Items"]:
            entry = bus_entry(codec.from_item(raw), "bench")
            event = {"source": entry["Source"], "detail-type": entry["DetailType"],
                     "detail": json.loads(entry["Detail"])}
            messages.append({"messageId": code, "receiptHandle": "r", "body": json.dumps(event), "attributes": {},
                             "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                             "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:bench",
                             "awsRegion": "ap-southeast-3"})
    for start in range(0, len(messages), 10):
        tracker({"Records": messages[start:start + 10]}, bench_context())
    return codes


def measure(open_tickets: int = 100_000, due: int = 10, overdue_share: float = OVERDUE_SHARE) -> dict[str, Any]:
    started = time.perf_counter()
    with aws():
        # Imported under the bench environment: Powertools reads its namespace when the module loads.
        from aduan.dal.sla_store import OVERDUE_COUNTS, OVERDUE_INDEX
        from aduan.handlers.sla_sweeper import handler as sweeper
        from aduan.logic import clock

        moment = NOW
        clock.set_clock(lambda: moment)
        try:
            codes = _file_due(due)
            overdue = int((open_tickets - due) * overdue_share)
            fillers = _filler_items(open_tickets - due, overdue)
            _write(fillers)
            _count_overdue(fillers)
            setup = time.perf_counter() - started
            moment = NOW + timedelta(days=3)  # past the due clocks' deadlines, long before the others
            scanned: list[tuple[str, int]] = []  # (index, items read) of every Query, counts included

            def name_query(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
                key = params.get("ExpressionAttributeValues", {}).get(":pk", {}).get("S", "")
                context["bench_index"] = params.get("IndexName") or f"table:{key}"

            def count_index_reads(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
                if "ScannedCount" in parsed:
                    scanned.append((context.get("bench_index", "table"), int(parsed["ScannedCount"])))

            with Recorder().installed() as recorder:
                from aduan.dal import clients

                clients.reset()
                events = clients.client("dynamodb").meta.events
                events.register("before-parameter-build.dynamodb.Query", name_query)
                events.register("after-call.dynamodb.Query", count_index_reads)
                mark = time.perf_counter()
                summary = sweeper({"detail-type": "Scheduled Event", "detail": {}}, bench_context())
                seconds = time.perf_counter() - mark
                calls = recorder.take()
            swept = list(scanned)  # the sweep's queries; what follows is the bench's own look
            agencies_overdue = sum(1 for n in _counts().values() if n)
        finally:
            clock.set_clock(None)
    reads = [c for c in calls if c.service == "dynamodb" and c.kind == "read"]
    writes = [c for c in calls if c.service == "dynamodb" and c.kind == "write"]
    due_reads = sum(n for index, n in swept if index == "sla_due")
    counted = [n for index, n in swept if index in (f"table:{OVERDUE_COUNTS}", OVERDUE_INDEX)]
    return {
        "open_tickets": open_tickets, "due": due, "overdue": overdue, "fired": summary["fired"],
        "agencies_overdue": agencies_overdue,
        "queries": len(swept), "items_read": sum(n for _, n in swept),
        "index_items_read": due_reads, "hourly_count_queries": len(counted),
        "hourly_count_items_read": sum(counted),
        "read_amplification": round(sum(n for _, n in swept) / max(due, 1), 1),
        "dynamodb_reads": len(reads), "dynamodb_writes": len(writes),
        "rcu": round(sum(c.cost.rcu for c in calls if c.cost), 1),
        "wcu": round(sum(c.cost.total_wcu for c in calls if c.cost), 1),
        "sweep_seconds_under_moto": round(seconds, 2), "setup_seconds": round(setup, 1),
        "tickets_with_due_clocks": len(codes),
    }


def document(sizes: list[int], due: int = 10, modelled_open: int = 100_000) -> dict[str, Any]:
    """Measured at a few sizes (moto copies the whole table per transaction, so 100,000 real items
    would take hours); the index reads do not depend on the size, which the runs show."""
    runs = [measure(size, due) for size in sizes]
    flat = len({run["index_items_read"] for run in runs}) == 1
    return {
        "model": "items read by the due-index queries = clocks due, independent of open clocks",
        "runs": runs,
        "modelled": {"open_tickets": modelled_open, "due": due,
                     "index_items_read": runs[-1]["index_items_read"] if flat else None},
    }


COUNT_QUERIES_LIMIT = 1  # the hourly overdue gauges of every agency: one Query (one page)


ITEMS_PER_DUE = 4  # its due-index entry, and the ticket's head, body and clocks (one Query) before firing


def targets(sla: dict[str, Any]) -> list[dict[str, Any]]:
    """The due index reads only what is due; an on-the-hour sweep, counting every query, reads what the due
    clocks need and one count per agency with overdue complaints (a count must not page through the overdue
    clocks), and the hourly gauges are one Query whatever the number of agencies."""
    largest = sla["runs"][-1]
    worst = max(run["index_items_read"] - run["due"] for run in sla["runs"])
    note = f"{largest['open_tickets']} open ({largest['overdue']} overdue), {largest['due']} due"
    limit = ITEMS_PER_DUE * largest["due"] + largest["agencies_overdue"]
    return [{"target": "SLA sweep: due-index items read beyond the due clocks", "value": worst, "limit": 0,
             "passed": worst <= 0, "note": note},
            {"target": f"SLA sweep on the hour: items read by every query <= {ITEMS_PER_DUE} x due + agencies "
                       f"overdue ({limit})",
             "value": largest["items_read"], "limit": limit, "passed": largest["items_read"] <= limit,
             "note": f"{note}; hourly overdue counts read {largest['hourly_count_items_read']} items in "
                     f"{largest['hourly_count_queries']} queries; {largest['rcu']} RCU in all"},
            {"target": f"SLA sweep on the hour: queries for the overdue gauges <= {COUNT_QUERIES_LIMIT}",
             "value": largest["hourly_count_queries"], "limit": COUNT_QUERIES_LIMIT,
             "passed": largest["hourly_count_queries"] <= COUNT_QUERIES_LIMIT,
             "note": f"{note}; counts kept with the clocks (SLA#OVERDUE), every configured agency published"}]


if __name__ == "__main__":
    import sys

    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000), indent=2))
