"""The SLA engine under moto: tracker (lifecycle events -> clocks), sweeper (due index -> firings),
exactly-once under repeated and overlapping sweeps, escalation ladder, auto-close, pause/resume."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from aduan.dal import codec
from aduan.logic import clock
from aduan.logic.domain_events import bus_entry
from aduan.models.sla import ClockState, TicketClocks
from aduan.models.sla_config import Stage
from infra.bench.capacity import item_size
from tests.integration.conftest import TABLES, Api, Context

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB


class World:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.now = START
        self.db = boto3.client("dynamodb")
        clock.set_clock(lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def stored_events(self, code: str) -> list[dict[str, Any]]:
        from aduan.dal.ticket_items import stored_entries

        found = self.db.query(TableName=TABLES["TicketsTable"],  # a new ticket's first entry rides on its head
                              KeyConditionExpression="pk = :pk AND sk >= :head",
                              ExpressionAttributeValues={":pk": {"S": f"T#{code}"}, ":head": {"S": "#TICKET"}})
        return list(stored_entries(codec.from_item(item) for item in found["Items"]))

    def deliver(self, code: str) -> dict[str, Any]:
        """What the rule -> SQS -> tracker path delivers: every lifecycle event of the ticket (again)."""
        from aduan.handlers.sla_tracker import handler

        return self._queue(handler, code, ("aduan.tickets",))

    def count(self, *codes: str) -> None:
        """What the statistics worker is delivered: the tickets' lifecycle and SLA events."""
        from aduan.handlers.stats import handler

        for code in codes:
            self._queue(handler, code, ("aduan.tickets", "aduan.sla"))

    def _queue(self, handler: Any, code: str, sources: tuple[str, ...]) -> dict[str, Any]:
        records = []
        for stored in self.stored_events(code):
            entry = bus_entry(stored, "aduan-test")
            if entry["Source"] not in sources:
                continue
            event = {"version": "0", "id": stored["event_id"], "detail-type": entry["DetailType"],
                     "source": entry["Source"], "time": entry["Time"], "region": "ap-southeast-3",
                     "resources": [], "detail": json.loads(entry["Detail"])}
            records.append({"messageId": stored["event_id"], "receiptHandle": "r", "body": json.dumps(event),
                            "attributes": {}, "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                            "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:q",
                            "awsRegion": "ap-southeast-3"})
        result: dict[str, Any] = handler({"Records": records}, Context())  # type: ignore[arg-type]
        assert result == {"batchItemFailures": []}
        return result

    def sweep(self) -> dict[str, Any]:
        from aduan.handlers.sla_sweeper import handler

        return dict(handler({"detail-type": "Scheduled Event", "detail": {}}, Context()))  # type: ignore[arg-type]

    def sla_events(self, code: str, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.stored_events(code) if e["event_type"] == kind]

    def ticket(self, code: str) -> dict[str, Any]:
        return self.api("GET", f"/v1/complaints/{code}", who="verifier").body  # type: ignore[no-any-return]

    def wait_out_the_citizen(self, code: str) -> dict[str, Any]:
        """Let a 10-day wait on the citizen run out; the complaint is closed once, by the timer. Returns the close."""
        self.advance(days=10, minutes=1)
        self.sweep()
        self.sweep()
        assert self.ticket(code)["status"] == "closed"
        closed = self.sla_events(code, "TicketClosed")
        assert len(closed) == 1
        return closed[0]


@pytest.fixture
def world(api: Api) -> Iterator[World]:
    yield World(api)
    clock.set_clock(None)


def test_tracker_starts_a_clock_once_however_often_the_event_arrives(world: World) -> None:
    code = world.api.file()["tracking_code"]
    world.deliver(code)
    world.deliver(code)
    clocks = world.db.get_item(TableName=TABLES["TicketsTable"], Key={"pk": {"S": f"T#{code}"}, "sk": {"S": "#SLA"}})
    stored = codec.from_item(clocks["Item"])
    verification = TicketClocks.model_validate(stored).clocks[Stage.VERIFICATION]
    assert stored["rev"] == 1 and verification.policy == "semarang@1"
    assert stored["sla_next_at"] == verification.remind_at
    assert item_size(clocks["Item"]) < 1024
    view = world.ticket(code)
    assert view["sla"]["stage"] == "verification" and view["sla"]["due_at"].endswith("+07:00")


def test_reminder_and_breach_fire_exactly_once_under_repeated_and_overlapping_sweeps(world: World) -> None:
    from aduan.wiring import sla_service as service

    code = world.api.file()["tracking_code"]
    world.deliver(code)
    world.advance(hours=28)  # Tue 13:00: past 75% of the working time to the deadline (Tue 16:00)
    assert world.sweep()["fired"] == {"reminder": 1}
    assert world.sweep()["fired"] == {}
    world.advance(days=1)
    # Two sweeps that both read the index before either wrote: one fires, the other conflicts and re-reads.
    stale = list(service().store.due(clock.to_storage(world.now)))
    first, second = service().sweep(world.now), None
    from aduan.services.sla import SweepResult
    second = SweepResult()
    for indexed in stale:
        service()._fire(indexed, world.now, second)
    assert first.fired == {"breach": 1} and second.fired == {} and second.conflicts == 1
    assert world.sweep()["fired"] == {}
    assert len(world.sla_events(code, "SlaReminder")) == 1
    breaches = world.sla_events(code, "SlaBreached")
    assert len(breaches) == 1 and breaches[0]["data"]["stage"] == "verification"
    assert breaches[0]["data"]["rung"] == 1
    view = world.ticket(code)
    assert view["overdue"] is True and view["priority"] == "high" and view["version"] == 2
    published = bus_entry(breaches[0], "aduan-test")
    detail = json.loads(published["Detail"])
    assert published["Source"] == "aduan.sla"
    assert {"ticket_id", "tracking_code", "stage", "agency_id", "category_id", "due_at", "occurred_at",
            "rung"} <= set(detail)


def test_escalation_ladder_each_rung_on_its_own_timer(world: World) -> None:
    code = world.api.file()["tracking_code"]
    world.deliver(code)
    world.advance(days=2)
    assert world.sweep()["fired"] == {"breach": 1}
    world.advance(days=3)  # agency head: 2 working days after the breach
    assert world.sweep()["fired"] == {"escalation": 1}
    world.advance(days=5)  # city secretary and inspector: 3 working days later
    assert world.sweep()["fired"] == {"escalation": 1}
    world.advance(days=30)  # the mayor's office: 5 working days later, the last rung
    assert world.sweep()["fired"] == {"escalation": 1}
    assert world.sweep()["fired"] == {}
    rungs = [(e["data"]["rung"], e["data"]["role"]) for e in world.sla_events(code, "SlaEscalated")]
    assert rungs == [(2, "agency_head"), (3, "supervisor"), (4, "mayor_office")]
    timeline = world.api("GET", f"/v1/complaints/{code}/timeline", who="verifier").body["items"]
    assert sum(1 for item in timeline if item["type"] == "SlaEscalated") == 3


def test_verify_late_stops_the_clock_not_met_and_ends_the_ladder(world: World) -> None:
    code = world.api.file()["tracking_code"]
    world.deliver(code)
    world.advance(days=2)
    world.sweep()
    assert world.api.act("verifier", code, "verify", 2).status == 200
    world.deliver(code)
    stopped = world.sla_events(code, "SlaClockStopped")
    assert [(e["data"]["stage"], e["data"]["met"]) for e in stopped] == [("verification", False)]
    detail = json.loads(bus_entry(stopped[0], "aduan-test")["Detail"])
    assert {"ticket_id", "tracking_code", "stage", "agency_id", "category_id", "started_at", "due_at", "stopped_at",
            "met", "elapsed_working_minutes"} <= set(detail)
    assert detail["elapsed_working_minutes"] == 7 * 60 + 8 * 60 + 30 + 90  # Mon 09-16, Tue, Wed 07:30-09:00
    world.advance(days=10)
    world.sweep()
    # The verification ladder ended with its clock; only the disposition clock breaches and escalates.
    assert {e["data"]["stage"] for e in world.sla_events(code, "SlaEscalated")} == {"disposition"}
    report = world.api("GET", "/v1/agencies/dpu/sla", who="supervisor").body
    assert report["agency_id"] == "dpu"


def test_need_info_pauses_the_clock_and_the_reply_resumes_it(world: World) -> None:
    code = world.api.file()["tracking_code"]
    world.deliver(code)
    world.advance(hours=1)
    assert world.api.act("verifier", code, "request_info", 1, note="Mohon foto lokasi").status == 200
    world.deliver(code)
    world.advance(days=7)
    assert world.sweep()["fired"] == {}  # paused: nothing fires
    assert world.api("POST", f"/v1/complaints/{code}/comments", {"text": "Foto terlampir"}).status in (200, 201)
    world.deliver(code)
    view = world.ticket(code)
    assert view["sla"]["stage"] == "verification" and view["overdue"] is False


def test_citizen_reply_window_auto_closes_once(world: World) -> None:
    api = world.api
    code = api.file()["tracking_code"]
    steps = (("verifier", "verify", 1, {}), ("verifier", "assign", 2, {"agency_id": "dpu"}),
             ("dpu", "start", 3, {}), ("dpu", "resolve", 4, {"response": "Sudah ditambal"}),
             ("verifier", "approve_answer", 5, {}))
    for who, action, version, fields in steps:
        assert api.act(who, code, action, version, **fields).status == 200
    world.deliver(code)
    assert world.ticket(code)["sla"]["stage"] == "citizen_reply"
    assert world.wait_out_the_citizen(code)["actor"] == {"role": "system", "id": "system"}
    world.deliver(code)  # the tracker sees the close: nothing left to fire
    assert world.sweep()["fired"] == {}


def test_queues_sort_by_due_and_the_agency_report_counts_compliance(world: World) -> None:
    api = world.api
    late, prompt = api.file()["tracking_code"], api.file()["tracking_code"]
    for code in (late, prompt):
        assert api.act("verifier", code, "verify", 1).status == 200
        assert api.act("verifier", code, "assign", 2, agency_id="dpu").status == 200
        world.deliver(code)
        world.advance(days=1)
    queue = api("GET", "/v1/agencies/dpu/complaints", who="dpu", query={"status": "assigned", "order": "due"}).body
    assert [item["tracking_code"] for item in queue["items"]] == [late, prompt]  # assigned first: due first
    assert queue["items"][0]["expected_datetime"].endswith("+07:00")
    assert queue["items"][0]["next_due_at"] < queue["items"][1]["next_due_at"]
    assert api.act("dpu", prompt, "accept", 3).status == 200
    world.deliver(prompt)
    world.advance(days=8)
    world.sweep()
    overdue = api("GET", "/v1/agencies/dpu/sla", who="dpu").body["overdue"]
    assert [(item["tracking_code"], item["stages"]) for item in overdue] == [(late, ["first_response"])]
    assert overdue_now() == {"dpu": 1}
    from aduan.wiring import sla_service as service

    assert service().store.recount_overdue(["dpu", "dlh"]) == {"dpu": 1, "dlh": 0, "desk": 0}  # same, from the index
    assert api.act("dpu", late, "accept", 4).status == 200  # version 4: the breach bumped it
    world.deliver(late)
    assert overdue_now() == {}  # answered: no longer overdue, the count moved back with the clocks
    world.count(late, prompt)
    report = api("GET", "/v1/agencies/dpu/sla", who="dpu", query={"from": "2026-11-01", "to": "2026-12-31"}).body
    by_stage = {row["stage"]: row for row in report["by_stage"]}
    assert by_stage["first_response"] == {"stage": "first_response", "stopped": 2, "met": 1, "compliance_percent": 50.0}
    assert report["overdue"] == []  # resolution (30 working days for roads) is not due yet
    assert api("GET", "/v1/agencies/dlh/sla", who="dpu").status == 403
    assert api("GET", "/v1/agencies/dpu/sla", who="dpu", query={"from": "2026-12-31", "to": "2026-01-01"}).status == 422


def test_concurrent_sweeps_fire_each_breach_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four sweeps in threads, interleaving between their calls. Each DynamoDB call is atomic in AWS; moto
    has no lock (its transactions check, then write, then restore a copy on failure), so each call is
    serialised here to give moto that one guarantee: the races between calls are the real ones."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import botocore.client

    from aduan.wiring import sla_service as service

    atomic = threading.Lock()
    make_call = botocore.client.BaseClient._make_api_call

    def one_at_a_time(self: Any, operation: str, params: Any) -> Any:
        with atomic:
            return make_call(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", one_at_a_time)

    codes = [world.api.file()["tracking_code"] for _ in range(3)]
    for code in codes:
        world.deliver(code)
    world.advance(days=3)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: service().sweep(world.now), range(4)))
    assert sum(result.fired.get("breach", 0) for result in results) == 3
    for code in codes:
        assert len(world.sla_events(code, "SlaBreached")) == 1
        assert world.ticket(code)["version"] == 2
    assert overdue_now() == {"desk": 3}  # each ticket counted once, however many sweeps raced


def overdue_now() -> dict[str, int]:
    """The overdue counts the clocks writes keep (what the hourly gauges publish), the non-zero ones."""
    from aduan.wiring import sla_service as service

    return {agency: n for agency, n in service().store.overdue_counts().items() if n}


def test_a_sweep_short_of_time_leaves_the_rest_to_the_next(world: World) -> None:
    from aduan.wiring import sla_service as service

    code = world.api.file()["tracking_code"]
    world.deliver(code)
    world.advance(days=3)
    stopped = service().sweep(world.now, has_time=lambda: False)
    assert stopped.unfinished and stopped.clocks_read == 0 and world.sla_events(code, "SlaBreached") == []
    assert world.sweep()["fired"] == {"breach": 1}


def test_a_new_policy_version_takes_over_on_its_effective_date(world: World) -> None:
    from datetime import date
    from pathlib import Path

    from aduan.dal.sla_store import SlaStore
    from aduan.models.sla_config import SlaConfigError, load_policy_file

    store = SlaStore(TABLES["TicketsTable"])
    current = load_policy_file(Path("infra/config/sla/semarang.json"))
    stages = {**current.stages, "verification": current.stages["verification"].model_copy(
        update={"limit": current.stages["verification"].limit.model_copy(update={"value": 3})})}
    newer = current.model_copy(update={"version": 2, "effective_from": date(2027, 1, 1), "stages": stages})
    store.save_policy(newer)
    assert store.active_policy(date(2026, 12, 31)).key == "semarang@1"
    assert store.active_policy(date(2027, 1, 1)).key == "semarang@2"
    with pytest.raises(SlaConfigError, match="new version"):
        store.save_policy(newer.model_copy(update={"name": "changed"}))


def _clocks_item(world: World, code: str) -> dict[str, Any]:
    found = world.db.get_item(TableName=TABLES["TicketsTable"], Key={"pk": {"S": f"T#{code}"}, "sk": {"S": "#SLA"}})
    return codec.from_item(found["Item"])


def _clocks(world: World, code: str) -> TicketClocks:
    return TicketClocks.model_validate(_clocks_item(world, code))


def test_work_starting_on_an_accepted_complaint_moves_its_due_queue_without_reading_the_clocks(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from aduan.wiring import sla_service as service

    api = world.api
    code = api.file()["tracking_code"]
    for who, action, version, fields in (("verifier", "verify", 1, {}), ("verifier", "assign", 2, {"agency_id": "dpu"}),
                                         ("dpu", "accept", 3, {})):
        assert api.act(who, code, action, version, **fields).status == 200
    world.deliver(code)
    before = _clocks_item(world, code)
    assert api.act("dpu", code, "start", 4).status == 200
    reads: list[str] = []
    original = service().store.clocks
    monkeypatch.setattr(service().store, "clocks",
                        lambda wanted, **how: reads.append(wanted) or original(wanted, **how))
    # The four earlier events again (each reads the clocks to find them ahead: the first after its blind
    # write finds clocks already there), and the start.
    world.deliver(code)
    after = _clocks_item(world, code)
    assert len(reads) == 4 and _clocks(world, code).applied_version == 5 and after["rev"] == before["rev"] + 1
    assert after["c"] == before["c"] and after["queue_pk"] == "AGENCY#dpu#in_progress"
    queue = api("GET", "/v1/agencies/dpu/complaints", who="dpu", query={"status": "in_progress", "order": "due"}).body
    assert [item["tracking_code"] for item in queue["items"]] == [code]


def test_a_step_the_clocks_have_not_caught_up_with_is_applied_in_full(world: World) -> None:
    """Start straight after the assignment (the first response stops), and a start whose accept has not
    been applied yet: neither is the blind write's case."""
    api = world.api
    direct, behind = api.file()["tracking_code"], api.file()["tracking_code"]
    for code in (direct, behind):
        assert api.act("verifier", code, "verify", 1).status == 200
        assert api.act("verifier", code, "assign", 2, agency_id="dpu").status == 200
        world.deliver(code)
    assert api.act("dpu", direct, "start", 3).status == 200
    assert api.act("dpu", behind, "accept", 3).status == 200
    assert api.act("dpu", behind, "start", 4).status == 200
    world.deliver(direct)
    world.deliver(behind)
    for code in (direct, behind):
        stored = _clocks(world, code)
        assert stored.applied_version == (4 if code == direct else 5)
        assert stored.clocks[Stage.FIRST_RESPONSE].state == ClockState.STOPPED
        stopped = [e["data"]["stage"] for e in world.sla_events(code, "SlaClockStopped")]
        assert stopped.count("first_response") == 1


def test_a_retried_tracker_write_finds_its_clock_stops_instead_of_adding_more(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stops are written before the clocks; a crash in between leaves the event to its redelivery,
    which writes the same stops (their ids name the clock) and then the clocks."""
    from aduan.dal.sla_store import SlaStore

    api = world.api
    code = api.file()["tracking_code"]
    world.deliver(code)
    assert api.act("verifier", code, "verify", 1).status == 200
    original = SlaStore.commit

    def crash(store: SlaStore, clocks: Any, expected_rev: int, **kwargs: Any) -> None:
        if expected_rev == 0:  # the creation's blind first write (it finds the clocks there, reads, skips)
            return original(store, clocks, expected_rev, **kwargs)
        raise RuntimeError("the function timed out")

    monkeypatch.setattr(SlaStore, "commit", crash)
    with pytest.raises(AssertionError):
        world.deliver(code)  # the record fails; SQS would deliver it again
    first = world.sla_events(code, "SlaClockStopped")
    assert [e["data"]["stage"] for e in first] == ["verification"]
    monkeypatch.setattr(SlaStore, "commit", original)
    world.deliver(code)
    world.deliver(code)
    again = world.sla_events(code, "SlaClockStopped")
    assert [e["event_id"] for e in again] == [e["event_id"] for e in first]
    assert _clocks(world, code).applied_version == 2
    assert world.ticket(code)["sla"]["stage"] == "disposition"
