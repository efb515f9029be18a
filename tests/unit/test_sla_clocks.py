"""SLA policies (each shipped variant) and the pure clock logic: start/stop, pause/resume, hard cap,
reminder, breach, escalation ladder, auto-close, each firing once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aduan.logic import sla
from aduan.logic.clock import from_storage
from aduan.logic.status_machine import Status
from aduan.models.sla import ClockState, TicketClocks
from aduan.models.sla_config import SlaConfigError, SlaPolicy, Stage, load_policy_file, parse_policy
from aduan.models.ticket import Priority

POLICY_DIR = Path(__file__).resolve().parents[2] / "infra" / "config" / "sla"
WIB = ZoneInfo("Asia/Jakarta")
POLICIES = {path.stem: load_policy_file(path) for path in POLICY_DIR.glob("*.json")}
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)


def wib(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=WIB)  # type: ignore[misc]


def lookup(policy: SlaPolicy) -> sla.PolicyLookup:
    return lambda key: {p.key: p for p in (*POLICIES.values(), policy)}[key]


def step(version: int, moment: datetime, source: Status | None, target: Status, *, agency: str | None = None,
         category: str | None = "jalan-rusak", priority: Priority = Priority.NORMAL) -> sla.LifecycleStep:
    return sla.LifecycleStep(version, moment, source, target, agency, category, priority)


def due(clocks: TicketClocks, stage: Stage) -> datetime:
    return from_storage(clocks.clocks[stage].due_at).astimezone(WIB)


def run(policy: SlaPolicy, *steps: sla.LifecycleStep) -> TicketClocks:
    clocks = TicketClocks(ticket_id="01T", tracking_code="ADU-TEST-01")
    for one in steps:
        sla.apply_step(clocks, one, policy, lookup(policy))
    return clocks


def test_every_shipped_policy_validates_and_names_all_stages() -> None:
    assert set(POLICIES) == {"sp4n", "surakarta", "semarang", "jakarta"}
    for policy in POLICIES.values():
        assert set(policy.stages) == set(Stage)
        assert policy.escalation[0].after is None


def test_sp4n_deadlines() -> None:
    p = POLICIES["sp4n"]
    clocks = run(p, step(1, MONDAY_9, None, Status.RECEIVED))
    assert due(clocks, Stage.VERIFICATION) == wib(2026, 11, 26, 16, 0)  # 3 working days after Monday
    sla.apply_step(clocks, step(2, wib(2026, 11, 24, 10, 0), Status.RECEIVED, Status.VERIFIED), p, lookup(p))
    sla.apply_step(clocks, step(3, wib(2026, 11, 24, 11, 0), Status.VERIFIED, Status.ASSIGNED, agency="dpu"),
                   p, lookup(p))
    assert clocks.clocks[Stage.VERIFICATION].met is True
    assert due(clocks, Stage.FIRST_RESPONSE) == wib(2026, 12, 1, 16, 0)  # 5 working days
    assert due(clocks, Stage.RESOLUTION) == wib(2027, 1, 23, 11, 0)  # 60 calendar days
    assert sla.expected_datetime(clocks) == clocks.clocks[Stage.RESOLUTION].due_at


def test_surakarta_24_hours_and_48_hours() -> None:
    p = POLICIES["surakarta"]
    clocks = run(p, step(1, MONDAY_9, None, Status.RECEIVED),
                 step(2, MONDAY_9, Status.RECEIVED, Status.VERIFIED),
                 step(3, MONDAY_9, Status.VERIFIED, Status.ASSIGNED, agency="dpu"))
    assert due(clocks, Stage.VERIFICATION) == MONDAY_9 + timedelta(hours=24)
    assert clocks.clocks[Stage.VERIFICATION].met is True
    assert due(clocks, Stage.FIRST_RESPONSE) == MONDAY_9 + timedelta(hours=48)


def test_semarang_1_5_10_30_with_category_and_priority_overrides() -> None:
    p = POLICIES["semarang"]
    road = run(p, step(1, MONDAY_9, None, Status.RECEIVED),
               step(2, MONDAY_9, Status.RECEIVED, Status.ASSIGNED, agency="dpu"))
    assert due(road, Stage.RESOLUTION) == p.working_calendar.end_of_working_days(MONDAY_9, 30)
    admin = run(p, step(1, MONDAY_9, None, Status.RECEIVED, category="adminduk"),
                step(2, MONDAY_9, Status.RECEIVED, Status.ASSIGNED, agency="disdukcapil", category="adminduk"))
    assert due(admin, Stage.RESOLUTION) == wib(2026, 12, 7, 16, 0)  # 10 working days
    assert due(admin, Stage.VERIFICATION) == wib(2026, 11, 24, 16, 0)  # 1 working day
    fire = run(p, step(1, MONDAY_9, None, Status.RECEIVED, category="kebakaran", priority=Priority.URGENT),
               step(2, MONDAY_9, Status.RECEIVED, Status.ASSIGNED, agency="damkar", category="kebakaran",
                    priority=Priority.URGENT))
    assert due(fire, Stage.RESOLUTION) == MONDAY_9 + timedelta(hours=24)  # category+priority beats priority
    assert due(fire, Stage.FIRST_RESPONSE) == wib(2026, 11, 23, 13, 0)  # urgent: 4 working hours


def test_jakarta_red_flag_at_six_days() -> None:
    p = POLICIES["jakarta"]
    clocks = run(p, step(1, MONDAY_9, None, Status.RECEIVED),
                 step(2, MONDAY_9, Status.RECEIVED, Status.ASSIGNED, agency="dpu"))
    assert due(clocks, Stage.FIRST_RESPONSE) == MONDAY_9 + timedelta(days=6)
    assert due(clocks, Stage.RESOLUTION) == MONDAY_9 + timedelta(days=7)
    remind = from_storage(clocks.clocks[Stage.RESOLUTION].remind_at or "")
    assert MONDAY_9 + timedelta(days=5, hours=23) < remind < MONDAY_9 + timedelta(days=6, hours=1)


def test_invalid_policy_is_refused_with_the_field_named() -> None:
    document = json.loads((POLICY_DIR / "sp4n.json").read_text())
    del document["stages"]["resolution"]
    with pytest.raises(SlaConfigError, match="stages missing: resolution"):
        parse_policy(document, "test.json")
    document = json.loads((POLICY_DIR / "sp4n.json").read_text())
    document["stages"]["verification"]["limit"] = {"value": 1.5, "unit": "working_days"}
    with pytest.raises(SlaConfigError, match=r"stages\.verification\.limit"):
        parse_policy(document, "test.json")
    document = json.loads((POLICY_DIR / "sp4n.json").read_text())
    document["calendar"]["business_hours"] = {"mon": ["16:00-08:00"]}
    with pytest.raises(SlaConfigError, match="business hours"):
        parse_policy(document, "test.json")


def test_need_info_pauses_and_the_reply_resumes_with_the_deadline_shifted() -> None:
    p = POLICIES["sp4n"]
    clocks = run(p, step(1, MONDAY_9, None, Status.RECEIVED))
    before = due(clocks, Stage.VERIFICATION)
    sla.apply_step(clocks, step(2, wib(2026, 11, 23, 10, 0), Status.RECEIVED, Status.NEED_INFO), p, lookup(p))
    assert clocks.clocks[Stage.VERIFICATION].state == ClockState.PAUSED
    assert sla.fire_due(clocks, wib(2026, 11, 27, 9, 0), lookup(p)) == []  # paused: no breach
    # The citizen answers two working days later (Wed 10:00): the deadline moves by 2 working days.
    sla.apply_step(clocks, step(3, wib(2026, 11, 25, 10, 0), Status.NEED_INFO, Status.RECEIVED), p, lookup(p))
    clock = clocks.clocks[Stage.VERIFICATION]
    assert clock.state == ClockState.RUNNING
    assert due(clocks, Stage.VERIFICATION) == p.working_calendar.add(before, timedelta(hours=17))
    assert sla.elapsed(clock, p, wib(2026, 11, 25, 11, 0)) == timedelta(hours=2)


def test_hard_cap_applies_even_while_paused() -> None:
    p = POLICIES["sp4n"]
    clocks = run(p, step(1, MONDAY_9, None, Status.RECEIVED),
                 step(2, MONDAY_9, Status.RECEIVED, Status.ASSIGNED, agency="dpu"),
                 step(3, wib(2026, 11, 24, 9, 0), Status.ASSIGNED, Status.ACCEPTED, agency="dpu"),
                 step(4, wib(2026, 12, 1, 9, 0), Status.ACCEPTED, Status.NEED_INFO, agency="dpu"))
    cap = clocks.clocks[Stage.RESOLUTION].hard_cap_at
    assert cap is not None and from_storage(cap) == MONDAY_9 + timedelta(days=60)
    firings = sla.fire_due(clocks, MONDAY_9 + timedelta(days=61), lookup(p))
    # The resolution cap fires while paused; so does the cap on waiting for the reporter (docs/sla.md).
    assert sorted((f.kind, f.stage) for f in firings) == [("auto_close", Stage.CITIZEN_INFO),
                                                           ("breach", Stage.RESOLUTION)]
    # A later reply cannot push the deadline past the cap.
    sla.apply_step(clocks, step(5, MONDAY_9 + timedelta(days=62), Status.NEED_INFO, Status.ACCEPTED, agency="dpu"),
                   p, lookup(p))
    assert clocks.clocks[Stage.RESOLUTION].due_at <= cap


def test_reminder_breach_and_escalation_ladder_each_fire_once() -> None:
    p = POLICIES["sp4n"]
    clocks = run(p, step(1, MONDAY_9, None, Status.RECEIVED))
    clock = clocks.clocks[Stage.VERIFICATION]
    remind, deadline = from_storage(clock.remind_at or ""), from_storage(clock.due_at)
    assert sla.fire_due(clocks, remind - timedelta(seconds=1), lookup(p)) == []
    assert [f.kind for f in sla.fire_due(clocks, remind, lookup(p))] == ["reminder"]
    assert sla.fire_due(clocks, remind + timedelta(minutes=5), lookup(p)) == []
    assert sla.next_fire_at(clocks) == clock.due_at
    breach = sla.fire_due(clocks, deadline, lookup(p))
    assert [(f.kind, f.rung, f.role) for f in breach] == [("breach", 1, "agency_officer")]
    assert sla.overdue(clocks)
    assert sla.fire_due(clocks, deadline, lookup(p)) == []
    # Agency head 2 working days after the breach, inspectorate 3 working days after that.
    head_at = from_storage(clocks.clocks[Stage.VERIFICATION].next_rung_at or "")
    assert head_at == p.working_calendar.end_of_working_days(deadline, 2)
    both = sla.fire_due(clocks, deadline + timedelta(days=30), lookup(p))
    assert [(f.kind, f.rung, f.role) for f in both] == [("escalation", 2, "agency_head"),
                                                        ("escalation", 3, "inspectorate")]
    assert sla.fire_due(clocks, deadline + timedelta(days=60), lookup(p)) == []
    assert sla.next_fire_at(clocks) is None


def test_stopping_ends_the_ladder_and_reports_met() -> None:
    p = POLICIES["sp4n"]
    clocks = run(p, step(1, MONDAY_9, None, Status.RECEIVED))
    sla.fire_due(clocks, MONDAY_9 + timedelta(days=10), lookup(p))
    stopped = sla.apply_step(clocks, step(2, MONDAY_9 + timedelta(days=11), Status.RECEIVED, Status.VERIFIED),
                             p, lookup(p))
    assert [(c.stage, c.met) for c in stopped] == [(Stage.VERIFICATION, False)]
    assert [c.stage for c in sla.open_clocks(clocks)] == [Stage.DISPOSITION]


def test_citizen_reply_window_auto_closes_once() -> None:
    p = POLICIES["sp4n"]
    clocks = run(p, step(1, MONDAY_9, None, Status.RECEIVED),
                 step(2, MONDAY_9, Status.RECEIVED, Status.ASSIGNED, agency="dpu"),
                 step(3, MONDAY_9, Status.ASSIGNED, Status.ACCEPTED, agency="dpu"),
                 step(4, wib(2026, 11, 24, 9, 0), Status.ACCEPTED, Status.RESOLVED, agency="dpu"))
    assert clocks.clocks[Stage.RESOLUTION].met is True
    assert due(clocks, Stage.CITIZEN_REPLY) == wib(2026, 12, 4, 9, 0)
    firings = sla.fire_due(clocks, wib(2026, 12, 4, 9, 0), lookup(p))
    assert [(f.kind, f.stage) for f in firings] == [("reminder", Stage.CITIZEN_REPLY)] or \
        [f.kind for f in firings] == ["auto_close"]
    assert [f.kind for f in sla.fire_due(clocks, wib(2026, 12, 5, 9, 0), lookup(p))] in ([], ["auto_close"])
    assert sla.fire_due(clocks, wib(2026, 12, 6, 9, 0), lookup(p)) == []
    assert clocks.clocks[Stage.CITIZEN_REPLY].state == ClockState.STOPPED


def test_reopen_restarts_desk_and_resolution_cycles() -> None:
    p = POLICIES["sp4n"]
    clocks = run(p, step(1, MONDAY_9, None, Status.RECEIVED),
                 step(2, MONDAY_9, Status.RECEIVED, Status.ASSIGNED, agency="dpu"),
                 step(3, MONDAY_9, Status.ASSIGNED, Status.IN_PROGRESS, agency="dpu"),
                 step(4, MONDAY_9, Status.IN_PROGRESS, Status.RESOLVED, agency="dpu"),
                 step(5, MONDAY_9, Status.RESOLVED, Status.REOPENED, agency="dpu"),
                 step(6, MONDAY_9, Status.REOPENED, Status.ASSIGNED, agency="dpu"))
    assert clocks.clocks[Stage.RESOLUTION].cycle == 2
    assert clocks.clocks[Stage.RESOLUTION].state == ClockState.RUNNING
    assert clocks.clocks[Stage.CITIZEN_REPLY].state == ClockState.STOPPED


def test_a_new_policy_version_does_not_move_running_clocks() -> None:
    old = POLICIES["sp4n"]
    clocks = run(old, step(1, MONDAY_9, None, Status.RECEIVED))
    newer = old.model_copy(update={"version": 2, "escalation": old.escalation[:1]})
    before = clocks.clocks[Stage.VERIFICATION].model_copy()
    sla.apply_step(clocks, step(2, MONDAY_9, Status.RECEIVED, Status.ON_HOLD), newer, lookup(newer))
    assert clocks.clocks[Stage.VERIFICATION] == before and before.policy == "sp4n@1"
    firings = sla.fire_due(clocks, MONDAY_9 + timedelta(days=30), lookup(newer))
    assert [f.rung for f in firings] == [1, 2, 3]  # the ladder of version 1
