"""The statistics aggregation against a brute-force recount of generated histories: every counter,
the median/p90 buckets, SLA compliance, ratings and the backlog, whatever order events come in."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from aduan.dal import codec
from aduan.dal.ticket_items import entry_item
from aduan.logic import domain_events, stats
from aduan.logic.attribution import credit_steps
from aduan.models.config import load_config_dir
from aduan.models.events import DomainEvent, read_event
from aduan.models.ticket import Ticket
from infra.sample_data import histories

CONFIG = load_config_dir(Path(__file__).resolve().parents[2] / "infra" / "config" / "semarang")
START = datetime(2026, 8, 1, tzinfo=UTC)
TODAY = date(2026, 11, 23)
DONE = {"closed", "rejected", "duplicate", "resolved"}
Event = tuple[str, str, dict[str, Any]]


def read(events: list[Event]) -> list[DomainEvent]:
    """The events as the stats worker reads them off its queue."""
    found = [read_event({"source": source, "detail-type": kind, "detail": detail}) for source, kind, detail in events]
    return [event for event in found if event is not None]


def generated(count: int, seed: int) -> tuple[list[Event], list[Ticket]]:
    """Bus events exactly as the relay publishes them (entry item -> detail), plus SLA clock stops."""
    rng = random.Random(seed)
    events: list[Event] = []
    tickets = []
    for history in histories(CONFIG, count, START, days=30, seed=seed):
        for change in history.changes:
            for index, entry in enumerate(change.entries):
                detail = domain_events.detail(codec.from_item(entry_item(entry, index, change.ticket)))
                events.append((domain_events.SOURCE, entry.event_type.value, detail))
                if entry.event_type.value == "TicketResolved":
                    events.append(("aduan.sla", "SlaClockStopped", {
                        "ticket_id": entry.ticket_id, "tracking_code": entry.tracking_code,
                        "stage": rng.choice(["resolution", "first_response"]),
                        "agency_id": change.ticket.assigned_agency_id, "category_id": change.ticket.category_id,
                        "stopped_at": entry.occurred_at, "met": rng.random() < 0.7}))
        tickets.append(history.changes[-1].ticket)
    return events, tickets


def bucket_bound(values: list[float], q: float) -> float | str | None:
    if not values:
        return None
    value = sorted(values)[math.ceil(q * len(values)) - 1]
    return next((float(bound) for bound in stats.HOUR_BUCKETS if value <= bound), f">{stats.HOUR_BUCKETS[-1]}")


def brute_force(events: list[Event], tickets: list[Ticket], group: str) -> dict[str, dict[str, Any]]:
    """Recount from the raw events and the final tickets, without cells, deltas or states."""
    field = {"agency": "assigned_agency_id", "category": "category_id", "channel": "channel", "area": "area_code"}
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {"counts": Counter(), "ttr": [], "frt": [], "met": 0,
                                                           "breached": 0, "ratings": Counter(), "backlog": Counter()})
    names = {"TicketCreated": "received", "TicketVerified": "verified", "TicketAssigned": "assigned",
             "TicketResolved": "resolved", "TicketClosed": "closed", "TicketReopened": "reopened"}
    by_id = {ticket.id: ticket for ticket in tickets}
    # Response and resolution times are credited to the agency that held the complaint (logic/attribution.py,
    # tested on its own): the tree's credit, in the row of the crediting event's other dimensions.
    lifecycles: dict[str, list[DomainEvent]] = defaultdict(list)
    for event in read(events):
        if not event.is_sla:
            lifecycles[event.ticket_id].append(event)
    credited = {ticket_id: credit_steps(stats.lifecycle_entries(details)) for ticket_id, details in lifecycles.items()}
    for source, kind, detail in events:
        if source == "aduan.sla":
            ticket = by_id[detail["ticket_id"]]
            value = {"agency": detail["agency_id"], "category": detail["category_id"], "channel": ticket.channel.value,
                     "area": ticket.location.area_code if ticket.location else None}[group]
            rows[value or "-"]["met" if detail["met"] else "breached"] += 1
            continue
        row = rows[detail["ticket"].get(field[group]) or "-"]
        if kind in names:
            row["counts"][names[kind]] += 1
        if kind == "TicketStatusChanged" and detail["to_status"] in ("rejected", "duplicate"):
            row["counts"][detail["to_status"]] += 1
        for item in credited[detail["ticket_id"]].get(detail["event_id"], []):
            if item.unit or item.kind == "unanswered":
                continue
            target = rows[item.agency] if group == "agency" else row
            target["ttr" if item.kind == "resolution" else "frt"].append(item.seconds / 3600)
        if kind == "RatingGiven":
            row["ratings"][str(detail["data"]["score"])] += 1
    for ticket in tickets:
        if ticket.status.value not in DONE:
            value = {"agency": ticket.assigned_agency_id, "category": ticket.category_id,
                     "channel": ticket.channel.value, "area": ticket.location.area_code if ticket.location else None}
            rows[value[group] or "-"]["backlog"][ticket.status.value] += 1
    return rows


def nonzero(cells: dict[Any, Counter[str]]) -> dict[Any, dict[str, int]]:
    return {key: dict(+counters) for key, counters in cells.items() if +counters}


def rows_of(aggregate: stats.Aggregate, scope: str, group: str) -> dict[str, dict[str, Any]]:
    flows: dict[str, Counter[str]] = defaultdict(Counter)
    backlog: dict[str, dict[str, Counter[str]]] = defaultdict(dict)
    for (cell_scope, dim, _, value), counters in aggregate.flow.items():
        if (cell_scope, dim) == (scope, group):
            flows[value].update(stats.fold_units(counters, across_agencies=scope == stats.CITY and group != "agency"))
    for (cell_scope, dim, value, day), counters in aggregate.backlog.items():
        if (cell_scope, dim) == (scope, group):
            backlog[value][day] = counters
    return {value: stats.summary(flows[value], backlog.get(value, {}), TODAY) for value in set(flows) | set(backlog)}


def test_aggregates_equal_a_brute_force_recount_in_any_order() -> None:
    events, tickets = generated(400, seed=3)
    shuffled = list(events)
    random.Random(9).shuffle(shuffled)
    aggregate = stats.replay(read(shuffled), "Asia/Jakarta")
    in_order = stats.replay(read(events), "Asia/Jakarta")
    assert nonzero(aggregate.backlog) == nonzero(in_order.backlog) and aggregate.flow == in_order.flow
    for group in ("agency", "category", "channel", "area"):
        expected = brute_force(events, tickets, group)
        got = rows_of(aggregate, stats.CITY, group)
        assert set(got) <= set(expected)
        for key, want in expected.items():
            row = got.get(key) or stats.summary(Counter(), {}, TODAY)
            for name in stats.FLOW_COUNTERS:
                assert row[name] == want["counts"][name], (group, key, name)
            assert row["resolution_hours"]["count"] == len(want["ttr"])
            assert row["resolution_hours"]["median"] == bucket_bound(want["ttr"], 0.5), (group, key)
            assert row["resolution_hours"]["p90"] == bucket_bound(want["ttr"], 0.9), (group, key)
            assert row["first_response_hours"]["median"] == bucket_bound(want["frt"], 0.5), (group, key)
            assert row["first_response_hours"]["p90"] == bucket_bound(want["frt"], 0.9), (group, key)
            assert row["ratings"]["distribution"] == {str(s): want["ratings"][str(s)] for s in range(1, 6)}
            assert row["backlog"]["by_status"] == dict(sorted(want["backlog"].items())), (group, key)
            stopped = want["met"] + want["breached"]
            assert row["sla_compliance"] == (round(want["met"] / stopped, 4) if stopped else None)
    city = rows_of(aggregate, stats.CITY, "all")["all"]
    assert city["received"] == 400 and city["backlog"]["total"] == sum(
        1 for t in tickets if t.status.value not in DONE)


def test_an_agency_scope_adds_up_to_its_city_row() -> None:
    events, _ = generated(200, seed=4)
    aggregate = stats.replay(read(events), "Asia/Jakarta")
    city = rows_of(aggregate, stats.CITY, "agency")
    for agency, row in city.items():
        if agency == "-":
            continue
        for group in ("category", "channel", "area"):
            parts = rows_of(aggregate, f"agency:{agency}", group).values()
            assert sum(part["resolved"] for part in parts) == row["resolved"]
            assert sum(part["backlog"]["total"] for part in parts) == row["backlog"]["total"]


def test_quantiles_and_age_buckets() -> None:
    assert stats.quantile({}, 0.5) is None
    assert stats.quantile({0: 1, 5: 1}, 0.5) == 1.0 and stats.quantile({0: 1, 5: 1}, 0.9) == 24.0
    assert stats.quantile({len(stats.HOUR_BUCKETS): 1}, 0.5) == float("inf")
    assert stats.age_bucket("2026-11-23", TODAY) == "0-2d"
    assert stats.age_bucket("2026-11-16", TODAY) == "3-7d"
    assert stats.age_bucket("2026-10-01", TODAY) == "31d+"
    assert stats.bucket(0.5) == 0 and stats.bucket(1.0) == 0 and stats.bucket(1.01) == 1


def test_sla_events_are_keyed_by_content_not_envelope() -> None:
    detail = {"ticket_id": "T", "tracking_code": "ADU-1", "stage": "resolution",
              "stopped_at": "2026-11-23T00:00:00.000000Z", "met": True}

    def key(envelope_id: str, **more: Any) -> str:
        event = read_event({"id": envelope_id, "source": "aduan.sla", "detail-type": "SlaClockStopped",
                            "detail": {**detail, **more}})
        assert event is not None
        return stats.sla_dedupe_key(event)

    assert key("env-1") == key("env-2") == "T#resolution#stopped#2026-11-23T00:00:00.000000Z"
    assert key("env", event_id="E") == "E"


def test_the_stats_rule_routes_exactly_the_counted_events() -> None:
    from infra.sam import load_template

    pattern = load_template()["Resources"]["StatsRule"]["Properties"]["EventPattern"]
    assert sorted(pattern["detail-type"]) == sorted(stats.DOMAIN_TYPES + stats.SLA_TYPES)
    assert sorted(pattern["source"]) == ["aduan.sla", domain_events.SOURCE]


def test_a_first_response_clock_stopped_by_reassignment_is_neither_met_nor_breached() -> None:
    from aduan.logic import stats as pure

    stop = {"ticket_id": "T", "tracking_code": "ADU-1", "stage": "first_response", "agency_id": "dinkes",
            "met": True, "stopped_at": "2026-11-23T03:00:00.000000Z", "occurred_at": "2026-11-23T03:00:00.000000Z"}

    def event(**fields: Any) -> DomainEvent:
        return DomainEvent.model_validate({"event_type": "SlaClockStopped", **stop, **fields})

    lifecycle = [DomainEvent(event_type="TicketAssigned", occurred_at="2026-11-23T02:00:00.000000Z", action="assign"),
                 event(action=None),
                 DomainEvent(event_type="TicketAssigned", occurred_at=stop["stopped_at"], action="assign")]
    assert pure.action_at(lifecycle, str(stop["stopped_at"])) == "assign"
    assert pure.handed_on(event(), "assign")
    assert not pure.handed_on(event(), "accept")  # the holder answered: its verdict stands
    assert not pure.handed_on(event(stage="resolution"), "assign")
    delta = pure.sla_event(event(), None, "Asia/Jakarta", handed_over=True)
    counters = delta.flow[("city", "agency", "2026-11-23", "dinkes")]
    assert counters == {"sla_handed_on_first_response": 1}
    row = pure.summary(counters, {}, date(2026, 11, 23))
    assert row["sla"]["first_response"]["handed_on_unanswered"] == 1 and row["sla_compliance"] is None
    # The desk's own stage is not the agency's to meet, whatever agency the ticket had when it stopped.
    desk = pure.sla_event(event(stage="disposition"), None, "Asia/Jakarta")
    assert ("city", "agency", "2026-11-23", "-") in desk.flow


def test_counts_by_complaint_type_ride_on_the_same_fact() -> None:
    from aduan.logic import stats as pure

    detail = {"event_id": "E1", "event_type": "TicketCreated", "ticket_id": "T", "to_status": "received",
              "occurred_at": "2026-11-23T03:00:00.000000Z",
              "ticket": {"version": 1, "status": "received", "complaint_type": "aspirasi", "channel": "web"}}
    delta = pure.domain_event(DomainEvent.model_validate(detail), None, "Asia/Jakarta")
    assert len(delta.facts) == 1  # one item to write, as before
    row = pure.summary(next(iter(delta.facts.values())), {}, date(2026, 11, 23))
    assert row["by_type"] == {"aspirasi": {**dict.fromkeys(pure.FLOW_COUNTERS, 0), "received": 1}}


def test_a_batch_folded_per_ticket_adds_up_to_its_events_one_by_one() -> None:
    """Folding a ticket's events (in arrival order, each against the state the previous left) gives the
    same open counts and state as applying them one at a time, and a status passed through within the batch
    leaves no open count to write; the batch's facts, each with its events' markers, add up to the same
    facts and markers as one at a time (what the rebuild writes)."""
    events, _ = generated(6, seed=3)
    domain = [event for event in read(events) if stats.counted_type(event) and event.source != "aduan.sla"]
    one_by_one = stats.Aggregate()
    folds: dict[str, stats.TicketFold] = {}
    marked: stats.MarkedFacts = {}
    open_writes = 0  # open-count items written one event at a time
    for event in domain:
        fold = folds.setdefault(event.ticket_id, stats.TicketFold(None))
        delta = stats.domain_event(event, one_by_one.states.get(event.ticket_id), "Asia/Jakarta")
        one_by_one.add(event.ticket_id, delta, stats.dedupe_key(event))
        open_writes += len(delta.open)
        folded = stats.domain_event(event, fold.known, "Asia/Jakarta")
        fold.add(stats.dedupe_key(event), folded)
        stats.add_marked(marked, stats.dedupe_key(event), folded)
        assert fold.known == one_by_one.states[event.ticket_id]
        assert (stats.dedupe_key(event) in fold.keys) == (folded.state is not None)
    opened: dict[Any, Counter[str]] = {}
    for fold in folds.values():
        for cell, counters in fold.delta.open.items():
            opened.setdefault(cell, Counter()).update(counters)
    assert nonzero(opened) == nonzero(one_by_one.open)
    assert all(counters and 0 not in counters.values() for fold in folds.values()
               for counters in fold.delta.open.values())  # no zero written
    assert sum(len(fold.delta.open) for fold in folds.values()) < open_writes / 2  # passed through: dropped
    assert {fact: sum(by_marker.values(), Counter()) for fact, by_marker in marked.items()} == one_by_one.facts
    assert {fact: set(by_marker) for fact, by_marker in marked.items()} == one_by_one.applied


def test_an_event_marker_is_short_and_stable() -> None:
    assert stats.marker("01JD0000000000000000000000") == stats.marker("01JD0000000000000000000000")
    assert len(stats.marker("x")) == 8 and stats.marker("x") != stats.marker("y")


def test_what_the_consumer_skips_reading_credits_nothing_and_what_it_assumes_was_there(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The consumer reads the timeline only for an event `may_credit`, and takes the state before a step that
    keeps the dimensions from the event (`known_before`) instead of reading it: over generated histories
    that go on working (reassignments, answers, returns to the desk, reopenings), an event it does not read
    for credits nothing, and the state it assumes is the one counted before that event, on a version the
    event is newer than."""
    from aduan.logic.lifecycle import Policy
    from infra import sample_data

    ending = ("reject", "mark_duplicate", "hold")
    every = sample_data.actions_available
    monkeypatch.setattr(sample_data, "actions_available",
                        lambda status, roles: [a for a in every(status, roles) if a not in ending])
    tops = Policy.of(CONFIG).tops()
    domain = [event for history in histories(CONFIG, 150, START, days=30, seed=9, max_steps=20)
              for change in history.changes for event in read([
                  (domain_events.SOURCE, entry.event_type.value,
                   domain_events.detail(codec.from_item(entry_item(entry, index, change.ticket))))
                  for index, entry in enumerate(change.entries)])]
    by_ticket: dict[str, list[DomainEvent]] = defaultdict(list)
    for event in domain:
        by_ticket[event.ticket_id].append(event)
    skipped = assumed = 0
    for timeline in by_ticket.values():
        credited = credit_steps(stats.lifecycle_entries(timeline))
        counted: stats.TicketState | None = None
        for event in sorted(timeline, key=lambda e: e.ticket_version):
            holder = event.ticket.assigned_agency_id if event.ticket else None
            if not stats.may_credit(event, holder is not None and holder not in tops):
                skipped += 1
                assert not credited.get(event.event_id), event
            if not stats.counted_type(event):
                continue
            known, before = stats.known_before(event, "Asia/Jakarta")
            if known:
                assumed += 1
                if before is None or counted is None:
                    assert before is None and counted is None, event
                else:
                    assert {**vars(before), "version": 0} == {**vars(counted), "version": 0}, event
                    assert counted.version <= before.version
            counted = stats.domain_event(event, counted, "Asia/Jakarta").state or counted
    assert skipped > len(domain) / 3 and assumed > len(by_ticket)
