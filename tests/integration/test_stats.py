"""Statistics through the real path: bus events (shuffled, a quarter redelivered) -> SQS handler ->
DynamoDB cells -> GET /v1/stats, equal to the pure aggregation (itself checked against a brute-force
recount in tests/unit/test_stats_aggregation.py); role scoping; rebuild == incremental."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from conftest import Api, Context, built_once
from infra.sample_data import histories

NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
START = NOW - timedelta(days=60)
TICKETS = 14
PERIOD = {"from": (START - timedelta(days=1)).date().isoformat(), "to": NOW.date().isoformat()}
GROUPS = ("agency", "category", "channel", "area")
if TYPE_CHECKING:
    from aduan.models.events import DomainEvent


def deliver(events: list[DomainEvent], rng: random.Random) -> None:
    from aduan.handlers.stats import handler
    from aduan.logic.domain_events import bus_entry

    for start in range(0, len(events), 10):
        records = [{"messageId": f"m{start + n}", "receiptHandle": "r", "attributes": {}, "messageAttributes": {},
                    "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:x:1:q",
                    "awsRegion": "ap-southeast-3",
                    "body": json.dumps({"id": f"env-{rng.random()}", "source": entry["Source"],
                                        "detail-type": entry["DetailType"], "detail": json.loads(entry["Detail"])})}
                   for n, entry in enumerate(bus_entry(event.model_dump(mode="json"), "test")
                                             for event in events[start:start + 10])]
        assert handler({"Records": records}, Context())["batchItemFailures"] == []  # type: ignore[arg-type]


@pytest.fixture
def world(api: Api) -> Iterator[dict[str, Any]]:
    from aduan.logic import clock

    clock.set_clock(lambda: NOW)
    yield built_once("stats: 14 histories, counted", _fourteen_histories_counted)
    clock.set_clock(None)


def _fourteen_histories_counted() -> dict[str, Any]:
    """Built through the DAL once per worker (each test gets the tables as they were left here)."""
    from aduan.dal.config_store import load_config
    from aduan.dal.ticket_items import continued
    from aduan.dal.tickets import TicketRepository

    repository = TicketRepository("aduan-tickets-test")
    config = load_config("aduan-tickets-test")
    rng = random.Random(5)
    codes = []
    for history in histories(config, TICKETS, START, days=20, seed=11):
        for number, change in enumerate(history.changes):
            if number:  # built before the one before it was saved: it takes what that save recorded
                continued(history.changes[number - 1].ticket, change.ticket)
            repository.save(change)
            _stop_resolution_clock(repository, change.ticket, change.entries, rng)
        codes.append(history.changes[-1].ticket.tracking_code)
    # As on AWS, every event is a timeline entry (the SLA engine's too): the rebuild finds them all there.
    events = [event for code in codes for event in repository.events(code)]
    deliveries = events + rng.sample(events, len(events) // 4)
    rng.shuffle(deliveries)
    deliver(deliveries, rng)
    return {"events": events, "config": config}


def _stop_resolution_clock(repository: Any, ticket: Any, entries: Any, rng: random.Random) -> None:
    """The SLA engine's SlaClockStopped entry for each resolution (met 60% of the time)."""
    from aduan.logic import ids
    from aduan.logic.clock import from_storage
    from aduan.logic.status_machine import EventType, Role
    from aduan.models.ticket import Actor, Change, TimelineEntry

    for entry in entries:
        if entry.event_type != EventType.TICKET_RESOLVED:
            continue
        stopped = TimelineEntry(
            event_id=ids.new_id(from_storage(entry.occurred_at)), event_type=EventType.SLA_CLOCK_STOPPED,
            occurred_at=entry.occurred_at,
            ticket_id=ticket.id, tracking_code=ticket.tracking_code, actor=Actor(role=Role.SYSTEM, id="sla"),
            from_status=ticket.status, to_status=ticket.status, internal=True, ticket_version=ticket.version,
            data={"stage": "resolution", "agency_id": ticket.assigned_agency_id, "category_id": ticket.category_id,
                  "started_at": ticket.created_at, "due_at": ticket.created_at, "stopped_at": entry.occurred_at,
                  "met": rng.random() < 0.6, "elapsed_working_minutes": 100})
        repository.save(Change(ticket, [stopped], None))


def expected_rows(events: list[DomainEvent], scope: str, group: str) -> dict[str, dict[str, Any]]:
    from collections import Counter

    from aduan.logic import stats

    aggregate = stats.replay(events, "Asia/Jakarta")
    flows: dict[str, Counter[str]] = {}
    backlog: dict[str, dict[str, Counter[str]]] = {}
    for (cell_scope, dim, _, value), counters in aggregate.flow.items():
        if (cell_scope, dim) == (scope, group):
            flows.setdefault(value, Counter()).update(counters)
    for (cell_scope, dim, value, day), counters in aggregate.backlog.items():
        if (cell_scope, dim) == (scope, group) and +counters:
            backlog.setdefault(value, {})[day] = counters
    return {value: stats.summary(flows.get(value, Counter()), backlog.get(value, {}), NOW.date())
            for value in set(flows) | set(backlog)}


def test_statistics_from_shuffled_redelivered_events(api: Api, world: dict[str, Any]) -> None:
    for group in GROUPS:
        reply = api("GET", "/v1/stats", who="supervisor", query={**PERIOD, "group_by": group})
        assert reply.status == 200, reply.body
        assert {row.pop("key"): row for row in reply.body["rows"]} == expected_rows(world["events"], "city", group)
        assert reply.body["totals"]["received"] == TICKETS

    mine = api("GET", "/v1/stats", who="dpu", query={**PERIOD, "group_by": "agency"})
    assert mine.status == 200 and {row["key"] for row in mine.body["rows"]} <= {"dpu"}
    by_category = api("GET", "/v1/stats", who="dpu", query={**PERIOD, "group_by": "category"})
    assert by_category.body["scope"] == "agency:dpu"
    assert {row.pop("key"): row for row in by_category.body["rows"]} == expected_rows(
        world["events"], "agency:dpu", "category")
    assert api("GET", "/v1/stats", who="dpu", query={**PERIOD, "agency_id": "dlh"}).status == 403
    assert api("GET", "/v1/stats", who="citizen").status == 403
    assert api("GET", "/v1/stats", who="supervisor", query={"group_by": "planet"}).status == 422
    assert api("GET", "/v1/stats", who="supervisor", query={"from": "2026-12-01", "to": "2026-01-01"}).status == 422

    league = api("GET", "/v1/stats/league", who="dpu", query=PERIOD)
    assert league.status == 200
    table = league.body["agencies"]
    rated = [row["sla_compliance"] for row in table if row["sla_compliance"] is not None]
    assert table and rated == sorted(rated, reverse=True)
    assert [row["rank"] for row in table] == list(range(1, len(table) + 1))
    trending = api("GET", "/v1/stats/trending", who="verifier", query={"week": (START + timedelta(days=7)).date()
                                                                       .isoformat()})
    assert trending.status == 200 and set(trending.body) == {"week_start", "week_end", "category", "area"}
    assert api("GET", "/v1/stats/trending", who="citizen").status == 403

    public = api("GET", "/v1/public/stats", who=None, query=PERIOD)
    assert public.status == 200 and public.body["totals"]["received"] == TICKETS
    cells = [a[n] for a in public.body["agencies"] for n in ("resolved", "backlog")]
    cells += [c["received"] for c in public.body["categories"]]
    assert all(cell is None or cell >= 5 for cell in cells) and None in cells  # small cells suppressed


def _dump(world: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    from aduan.dal.stats import StatsRepository
    from aduan.logic import stats
    from infra.stats_rebuild import _existing

    repository = StatsRepository("aduan-tickets-test")
    partitions = {key["pk"] for key in _existing(repository, world["config"],
                                                 stats.replay(world["events"], "Asia/Jakarta"))}
    return {(pk, sk): {k: v for k, v in document.items() if v != 0}
            for pk in partitions for sk, document in repository.raw_cells(pk).items()
            if any(isinstance(v, int) and v for k, v in document.items())}


def test_rebuild_equals_incremental(api: Api, world: dict[str, Any]) -> None:
    from aduan.dal.clients import client
    from infra.stats_rebuild import rebuild

    incremental = _dump(world)
    reports = [api("GET", "/v1/stats", who="supervisor", query={**PERIOD, "group_by": g}).body for g in GROUPS]
    ghost = {"pk": {"S": "STATS#F#2026-10"}, "sk": {"S": "2026-10-01#ghost#-#-#-"}, "received": {"N": "99"}}
    client("dynamodb").put_item(TableName="aduan-tickets-test", Item=ghost)
    outcome = rebuild("aduan-tickets-test")
    assert outcome.tickets == TICKETS and outcome.events == len(world["events"]) and outcome.cells_deleted >= 1
    assert _dump(world) == incremental
    assert reports == [api("GET", "/v1/stats", who="supervisor", query={**PERIOD, "group_by": g}).body
                       for g in GROUPS]


def _clear_statistics(world: dict[str, Any], cells: dict[tuple[str, str], dict[str, Any]]) -> None:
    from aduan.dal.clients import client
    from aduan.dal.stats import state_key

    db = client("dynamodb")
    for pk, sk in cells:
        db.delete_item(TableName="aduan-tickets-test", Key={"pk": {"S": pk}, "sk": {"S": sk}})
    for ticket_id in {event.ticket_id for event in world["events"]}:
        db.delete_item(TableName="aduan-tickets-test", Key=state_key(ticket_id))
    assert _dump(world) == {}


def test_folded_batches_count_as_one_by_one(api: Api, world: dict[str, Any],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The world was counted in folded batches of 10 (shuffled, a quarter redelivered, several events of one
    ticket in a batch): the same cells as counting every message on its own, and a batch delivered again
    changes nothing (its markers are on the facts, its versions on the ticket states)."""
    from aduan.handlers import stats as handler
    from aduan.wiring import stats_counter as service

    folded = _dump(world)
    events = world["events"]
    assert service().record_batch(events[:10]) == [False] * 10
    assert _dump(world) == folded

    _clear_statistics(world, folded)
    monkeypatch.setattr(handler, "_count_folded", lambda records: False)  # always one message at a time
    rng = random.Random(5)
    deliver(rng.sample(events, len(events)), rng)
    assert _dump(world) == folded


def test_stale_reads_and_partial_writes_still_count_every_event_once(api: Api, world: dict[str, Any],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A backlog write on a stale read (an eventually consistent read, or a concurrent change of the same
    ticket) is refused and folded again on a consistent read; a batch whose facts were written but whose
    backlog write kept being refused is counted again when delivered again: every event once."""
    from aduan.dal.stats import StaleState, StatsRepository
    from aduan.wiring import stats_counter as service

    folded = _dump(world)
    _clear_statistics(world, folded)
    events = world["events"]
    rng = random.Random(7)
    deliver(events[:len(events) // 2], rng)
    real = StatsRepository.state
    with monkeypatch.context() as patched:  # every first read says "nothing counted yet"
        patched.setattr(StatsRepository, "state",
                        lambda self, ticket_id, consistent=False: real(self, ticket_id, True) if consistent else None)
        deliver(events, rng)
    assert _dump(world) == folded

    _clear_statistics(world, folded)
    with monkeypatch.context() as patched:
        patched.setattr(StatsRepository, "move", lambda self, *args: False)
        with pytest.raises(StaleState):
            service().record_batch(events[:10])
    assert _dump(world) != {}  # the facts were written, no backlog moved
    deliver(events, rng)
    assert _dump(world) == folded
