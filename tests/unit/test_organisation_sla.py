"""SLA of the organisation paths: the reporter's information has a hard cap at every level, the desk's
review of an answer is its own stage, and limits follow the agency level and the complaint type."""

from __future__ import annotations

import json
from datetime import timedelta

from aduan.logic import sla
from aduan.logic.status_machine import Status
from aduan.models.sla import ClockState
from aduan.models.sla_config import Stage, parse_policy
from aduan.models.ticket import ComplaintType, Priority
from tests.unit.test_sla_clocks import MONDAY_9, POLICIES, POLICY_DIR, due, lookup, run, step, wib

S = Status


def test_waiting_on_the_reporter_at_the_desk_is_capped_and_closes_the_complaint() -> None:
    p = POLICIES["semarang"]
    clocks = run(p, step(1, MONDAY_9, None, S.RECEIVED), step(2, MONDAY_9 + timedelta(hours=1), S.RECEIVED,
                                                              S.NEED_INFO))
    assert clocks.clocks[Stage.VERIFICATION].state == ClockState.PAUSED
    waiting = clocks.clocks[Stage.CITIZEN_INFO]
    assert waiting.state == ClockState.RUNNING and due(clocks, Stage.CITIZEN_INFO) == MONDAY_9 + timedelta(
        days=10, hours=1)
    reminded = sla.fire_due(clocks, MONDAY_9 + timedelta(days=9), lookup(p))
    assert [(f.kind, f.stage) for f in reminded] == [("reminder", Stage.CITIZEN_INFO)]
    fired = sla.fire_due(clocks, MONDAY_9 + timedelta(days=65), lookup(p))
    assert [(f.kind, f.stage) for f in fired] == [("auto_close", Stage.CITIZEN_INFO)]
    assert sla.fire_due(clocks, MONDAY_9 + timedelta(days=66), lookup(p)) == []  # once


def test_a_reply_in_time_stops_the_cap_and_resumes_the_desk_clock() -> None:
    p = POLICIES["semarang"]
    clocks = run(p, step(1, MONDAY_9, None, S.RECEIVED), step(2, MONDAY_9, S.RECEIVED, S.NEED_INFO),
                 step(3, MONDAY_9 + timedelta(days=2), S.NEED_INFO, S.RECEIVED))
    assert clocks.clocks[Stage.CITIZEN_INFO].state == ClockState.STOPPED
    assert clocks.clocks[Stage.VERIFICATION].state == ClockState.RUNNING


def test_desk_review_pauses_the_agency_and_runs_its_own_stage() -> None:
    p = POLICIES["semarang"]
    assigned = [step(1, MONDAY_9, None, S.RECEIVED), step(2, MONDAY_9, S.RECEIVED, S.ASSIGNED, agency="dpu"),
                step(3, MONDAY_9 + timedelta(hours=1), S.ASSIGNED, S.IN_PROGRESS, agency="dpu"),
                step(4, wib(2026, 11, 24, 9, 0), S.IN_PROGRESS, S.IN_REVIEW, agency="dpu")]
    clocks = run(p, *assigned)
    assert clocks.clocks[Stage.RESOLUTION].state == ClockState.PAUSED
    assert clocks.clocks[Stage.ANSWER_REVIEW].state == ClockState.RUNNING
    assert due(clocks, Stage.ANSWER_REVIEW) == wib(2026, 11, 25, 16, 0)  # 1 working day, Tuesday not counted
    resolution_due = clocks.clocks[Stage.RESOLUTION].due_at
    # Returned with a note after two days of review: the agency's deadline moves by the review time.
    sla.apply_step(clocks, step(5, wib(2026, 11, 26, 9, 0), S.IN_REVIEW, S.IN_PROGRESS, agency="dpu"), p, lookup(p))
    review = clocks.clocks[Stage.ANSWER_REVIEW]
    assert review.state == ClockState.STOPPED and review.met is False
    assert clocks.clocks[Stage.RESOLUTION].state == ClockState.RUNNING
    assert clocks.clocks[Stage.RESOLUTION].due_at > resolution_due
    sla.apply_step(clocks, step(6, wib(2026, 11, 26, 10, 0), S.IN_PROGRESS, S.IN_REVIEW, agency="dpu"), p, lookup(p))
    stopped = sla.apply_step(clocks, step(7, wib(2026, 11, 26, 11, 0), S.IN_REVIEW, S.RESOLVED, agency="dpu"),
                             p, lookup(p))
    assert {c.stage for c in stopped} == {Stage.ANSWER_REVIEW, Stage.RESOLUTION}
    assert all(c.met for c in stopped)
    assert clocks.clocks[Stage.ANSWER_REVIEW].cycle == 2
    assert clocks.clocks[Stage.CITIZEN_REPLY].state == ClockState.RUNNING


def test_a_sub_unit_gets_the_first_response_limit_of_its_level() -> None:
    p = POLICIES["semarang"]
    clocks = run(p, step(1, MONDAY_9, None, S.RECEIVED), step(2, MONDAY_9, S.RECEIVED, S.ASSIGNED, agency="dpu"))
    assert due(clocks, Stage.FIRST_RESPONSE) == wib(2026, 11, 30, 16, 0)  # 5 working days, Monday not counted
    disposed = sla.LifecycleStep(3, MONDAY_9 + timedelta(hours=2), S.ASSIGNED, S.ASSIGNED, "dpu-bina-marga",
                                 "jalan-rusak", Priority.NORMAL, level=2)
    sla.apply_step(clocks, disposed, p, lookup(p))
    first = clocks.clocks[Stage.FIRST_RESPONSE]
    assert first.cycle == 2 and first.agency_id == "dpu-bina-marga"
    assert due(clocks, Stage.FIRST_RESPONSE) == wib(2026, 11, 26, 16, 0)  # 3 working days at level 2
    assert clocks.clocks[Stage.RESOLUTION].agency_id == "dpu-bina-marga"


def test_each_complaint_type_has_its_own_limits() -> None:
    p = POLICIES["semarang"]

    def resolution_due(kind: ComplaintType) -> str:
        clocks = run(p, step(1, MONDAY_9, None, S.RECEIVED))
        sla.apply_step(clocks, sla.LifecycleStep(2, MONDAY_9, S.RECEIVED, S.ASSIGNED, "dinkes", None,
                                                 Priority.NORMAL, complaint_type=kind), p, lookup(p))
        return clocks.clocks[Stage.RESOLUTION].due_at

    complaint = resolution_due(ComplaintType.PENGADUAN)
    information = resolution_due(ComplaintType.PERMINTAAN_INFORMASI)
    aspiration = resolution_due(ComplaintType.ASPIRASI)
    assert complaint == information  # 10 working days both (KIP's 10 working days for information)
    assert aspiration > complaint


def test_a_stored_policy_from_before_the_new_stages_still_loads() -> None:
    document = json.loads((POLICY_DIR / "sp4n.json").read_text())
    for later in ("answer_review", "citizen_info"):
        del document["stages"][later]
    policy = parse_policy(document, "stored")
    assert policy.stages[Stage.CITIZEN_INFO].limit.describe() == "10 calendar days"
    assert not policy.stages[Stage.CITIZEN_INFO].escalate


def _handed_over(p: sla.SlaPolicy, clocks: sla.TicketClocks, version: int, moment: timedelta, agency: str,
                 action: str, level: int = 1) -> list[sla.StageClock]:
    handover = sla.LifecycleStep(version, MONDAY_9 + moment, S.ASSIGNED, S.ASSIGNED, agency, "jalan-rusak",
                                 Priority.NORMAL, level=level, action=action)
    return sla.apply_step(clocks, handover, p, lookup(p))


def test_the_resolution_clock_follows_the_holder_with_its_levels_limit() -> None:
    document = json.loads((POLICY_DIR / "semarang.json").read_text())
    document["overrides"].append({"stage": "resolution", "category_ids": ["jalan-rusak"], "levels": [2],
                                  "limit": {"value": 5, "unit": "working_days"}})  # a bidang's own, shorter
    p = parse_policy(document, "test")
    clocks = run(p, step(1, MONDAY_9, None, S.RECEIVED), step(2, MONDAY_9, S.RECEIVED, S.ASSIGNED, agency="dinkes"))
    assert clocks.clocks[Stage.RESOLUTION].agency_id == "dinkes"
    _handed_over(p, clocks, 3, timedelta(hours=2), "dpu", "assign")
    resolution = clocks.clocks[Stage.RESOLUTION]
    assert (resolution.agency_id, resolution.cycle, resolution.started_at) == ("dpu", 1, clocks.clocks[
        Stage.RESOLUTION].started_at)  # relabelled, not restarted: the citizen's date does not move
    ten_days = resolution.due_at
    _handed_over(p, clocks, 4, timedelta(hours=3), "dpu-bina-marga", "dispose", level=2)
    resolution = clocks.clocks[Stage.RESOLUTION]
    assert resolution.agency_id == "dpu-bina-marga" and resolution.limit.value == 5 and resolution.due_at < ten_days
    fired = sla.fire_due(clocks, MONDAY_9 + timedelta(days=9), lookup(p))
    assert (Stage.RESOLUTION, "dpu-bina-marga") in [(f.stage, f.clock.agency_id) for f in fired if f.kind == "breach"]


def test_an_overdue_resolution_stays_with_the_agency_that_lost_it() -> None:
    p = POLICIES["semarang"]
    clocks = run(p, step(1, MONDAY_9, None, S.RECEIVED), step(2, MONDAY_9, S.RECEIVED, S.ASSIGNED, agency="dinkes"))
    sla.fire_due(clocks, MONDAY_9 + timedelta(days=50), lookup(p))  # 30 working days for a road
    assert clocks.clocks[Stage.RESOLUTION].breached_at is not None
    stopped = _handed_over(p, clocks, 3, timedelta(days=50), "dpu", "assign")
    assert [(c.stage, c.agency_id, c.met) for c in stopped if c.stage == Stage.RESOLUTION] == [
        (Stage.RESOLUTION, "dinkes", False)]
    fresh = clocks.clocks[Stage.RESOLUTION]
    assert (fresh.agency_id, fresh.cycle, fresh.breached_at, fresh.state) == ("dpu", 2, None, ClockState.RUNNING)
