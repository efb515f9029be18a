"""Evaluation that can be trusted (issue 15, item 7): a first-response clock the desk stopped by
reassigning the complaint is not a response by the agency that lost it. Built from a real timeline
(API -> SLA tracker -> every stored event to the statistics consumer): Dinkes, then DLH, each held
the complaint an hour without touching it; DPU answered late. Before the fix Dinkes and DLH were
"100% on time" and ranked above DPU."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from conftest import Api, Context, built_once
from tests.integration.test_sla_engine import World

PERIOD = {"from": "2026-11-01", "to": "2026-12-31"}


@pytest.fixture
def world(api: Api) -> Iterator[World]:
    from aduan.logic import clock

    yield World(api)
    clock.set_clock(None)


def _deliver_to_stats(world: World, code: str, twice: bool = False) -> None:
    from aduan.handlers.stats import handler
    from aduan.logic.domain_events import bus_entry

    records = []
    for n, stored in enumerate(world.stored_events(code) * (2 if twice else 1)):
        entry = bus_entry(stored, "aduan-test")
        body = {"id": f"env-{n}", "source": entry["Source"], "detail-type": entry["DetailType"],
                "detail": json.loads(entry["Detail"])}
        records.append({"messageId": f"m{n}", "receiptHandle": "r", "attributes": {}, "messageAttributes": {},
                        "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:x:1:q",
                        "awsRegion": "ap-southeast-3", "body": json.dumps(body)})
    for start in range(0, len(records), 10):
        result = handler({"Records": records[start:start + 10]}, Context())  # type: ignore[arg-type]
        assert result["batchItemFailures"] == []


def _reassigned_twice_then_answered_late(world: World) -> str:
    """Built once per worker (conftest.built_once); the world's clock goes on from where it left it."""
    code, world.now = built_once("attribution: reassigned twice, answered late",
                                 lambda: _reassign_twice_then_answer_late(world))
    return str(code)


def _reassign_twice_then_answer_late(world: World) -> tuple[str, datetime]:
    api = world.api
    code: str = api.file()["tracking_code"]
    version = 1
    steps: list[tuple[str, str, dict[str, Any], float]] = [
        ("verifier", "verify", {}, 1), ("verifier", "assign", {"agency_id": "dinkes"}, 1),
        ("verifier", "assign", {"agency_id": "dlh", "reason": "Bukan kewenangan Dinkes"}, 1),
        ("verifier", "assign", {"agency_id": "dpu", "reason": "Jalan rusak: DPU"}, 24 * 10),
        ("dpu", "accept", {}, 1)]
    for who, action, fields, hours_after in steps:
        reply = api.act(who, code, action, version, **fields)
        assert reply.status == 200, reply.body
        version = reply.body["version"]
        world.deliver(code)  # the SLA tracker after every step, as the bus does
        world.advance(hours=hours_after)
    return code, world.now


def test_reassignment_before_answering_is_not_an_on_time_response(world: World) -> None:
    code = _reassigned_twice_then_answered_late(world)
    stopped = [(e["data"]["agency_id"], e["data"]["met"]) for e in world.sla_events(code, "SlaClockStopped")
               if e["data"]["stage"] == "first_response"]
    assert stopped == [("dinkes", True), ("dlh", True), ("dpu", False)]  # what the SLA engine says

    _deliver_to_stats(world, code, twice=True)  # redelivered: counted once
    rows = {row["key"]: row for row in world.api("GET", "/v1/stats", who="supervisor",
                                                 query={**PERIOD, "group_by": "agency"}).body["rows"]}
    for held_only in ("dinkes", "dlh"):
        first = rows[held_only]["sla"]["first_response"]
        assert (first["met"], first["breached"], first["handed_on_unanswered"]) == (0, 0, 1)
        assert first["compliance"] is None and rows[held_only]["sla_compliance"] is None
    assert rows["dpu"]["sla"]["first_response"]["breached"] == 1 and rows["dpu"]["sla_compliance"] == 0.0
    totals = world.api("GET", "/v1/stats", who="supervisor", query={**PERIOD, "group_by": "category"}).body["totals"]
    assert totals["by_type"] == {"pengaduan": {**dict.fromkeys(totals["by_type"]["pengaduan"], 0),
                                               "received": 1, "verified": 1, "assigned": 3}}
    assert rows["dinkes"]["by_type"]["pengaduan"]["assigned"] == 1

    league = world.api("GET", "/v1/stats/league", who="supervisor", query=PERIOD).body["agencies"]
    ranked = [row["agency_id"] for row in league]
    assert ranked[0] == "dpu"  # the only agency that answered; Dinkes is not #1 at 100%
    assert {row["agency_id"]: row["sla_compliance"] for row in league}["dinkes"] is None


def test_rebuild_credits_the_same_way(world: World) -> None:
    from aduan.dal.stats import StatsRepository
    from infra.stats_rebuild import rebuild

    code = _reassigned_twice_then_answered_late(world)
    _deliver_to_stats(world, code)
    before = world.api("GET", "/v1/stats", who="supervisor", query={**PERIOD, "group_by": "agency"}).body
    facts = StatsRepository("aduan-tickets-test").raw_cells("STATS#F#2026-11")
    assert any(document.get("sla_handed_on_first_response") for document in facts.values())
    rebuild("aduan-tickets-test")
    assert StatsRepository("aduan-tickets-test").raw_cells("STATS#F#2026-11") == facts
    assert world.api("GET", "/v1/stats", who="supervisor", query={**PERIOD, "group_by": "agency"}).body == before


@pytest.fixture
def org_world(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    from tests.integration.test_organisation import OFFICERS

    claims_of = sys.modules[type(world.api).__module__].CLAIMS
    for name, claims in OFFICERS.items():
        monkeypatch.setitem(claims_of, name, claims)
    return world


def _through_a_sub_unit(world: World) -> str:
    """Dinkes holds it 5 h untouched; the desk reassigns to DPU, which disposes to Bina Marga after 2 h;
    Bina Marga accepts after 3 h and answers 4 h later; the desk reviews the answer for 2 h and approves.
    Built once per worker (conftest.built_once); the world's clock goes on from where it left it."""
    code, world.now = built_once("attribution: through a sub-unit", lambda: _go_through_a_sub_unit(world))
    return str(code)


def _go_through_a_sub_unit(world: World) -> tuple[str, datetime]:
    api = world.api
    code: str = api.file()["tracking_code"]
    version = 1
    steps: list[tuple[str, str, dict[str, Any], float]] = [
        ("verifier", "verify", {}, 1), ("verifier", "assign", {"agency_id": "dinkes"}, 5),
        ("verifier", "assign", {"agency_id": "dpu", "reason": "Jalan rusak: DPU"}, 2),
        ("dpu", "dispose", {"agency_id": "dpu-bina-marga", "note": "Tambal segera"}, 3),
        ("bina-marga", "accept", {}, 4), ("bina-marga", "resolve", {"response": "Sudah ditambal"}, 2),
        ("verifier", "approve_answer", {}, 1)]
    for who, action, fields, hours_after in steps:
        reply = api.act(who, code, action, version, **fields)
        assert reply.status == 200, (action, reply.body)
        version = reply.body["version"]
        world.deliver(code)
        world.advance(hours=hours_after)
    return code, world.now


def test_times_are_credited_to_the_agency_and_the_sub_unit_that_held_it(org_world: World) -> None:
    world = org_world
    code = _through_a_sub_unit(world)
    _deliver_to_stats(world, code, twice=True)
    rows = {row["key"]: row for row in world.api("GET", "/v1/stats", who="supervisor",
                                                 query={**PERIOD, "group_by": "agency"}).body["rows"]}
    dinkes, dpu, unit = rows["dinkes"], rows["dpu"], rows["dpu-bina-marga"]
    assert dinkes["first_response_hours"]["count"] == 0 and dinkes["first_response_hours"]["handed_on_unanswered"] == 1
    assert dinkes["resolution_hours"]["count"] == 0 and dinkes["sla_compliance"] is None
    # DPU (the tree) answered by disposing 2 h after receipt; resolved 9 h after receipt (desk review excluded).
    assert (dpu["first_response_hours"]["count"], dpu["first_response_hours"]["median"]) == (1, 2.0)
    assert (dpu["resolution_hours"]["count"], dpu["resolution_hours"]["median"]) == (1, 12.0)
    # Bina Marga's own holding: accepted 3 h after it got it, answered 7 h after.
    assert (unit["first_response_hours"]["median"], unit["resolution_hours"]["median"]) == (4.0, 8.0)
    assert unit["sla"]["resolution"]["met"] == 1 and dpu["sla"]["resolution"]["met"] == 1
    # Across agencies the tree is counted once.
    totals = world.api("GET", "/v1/stats", who="supervisor", query={**PERIOD, "group_by": "category"}).body["totals"]
    assert totals["first_response_hours"]["count"] == 1 and totals["resolution_hours"]["count"] == 1
    assert totals["sla"]["resolution"]["met"] == 1
    league = world.api("GET", "/v1/stats/league", who="supervisor", query=PERIOD).body["agencies"]
    assert {row["agency_id"]: row["sla_compliance"] for row in league}["dinkes"] is None
    assert league[0]["agency_id"] in ("dpu", "dpu-bina-marga")


def test_rebuild_credits_sub_units_the_same_way(org_world: World) -> None:
    from aduan.dal.stats import StatsRepository
    from infra.stats_rebuild import rebuild

    code = _through_a_sub_unit(org_world)
    _deliver_to_stats(org_world, code)
    facts = StatsRepository("aduan-tickets-test").raw_cells("STATS#F#2026-11")
    assert any(document.get("unit_ttr_3") for document in facts.values())  # Bina Marga's own 7 h (<= 8 h)
    rebuild("aduan-tickets-test")
    assert StatsRepository("aduan-tickets-test").raw_cells("STATS#F#2026-11") == facts
