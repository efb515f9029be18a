"""Pure SLA clock logic: which lifecycle step starts, stops, pauses or resumes which stage clock, and
what is due to fire at a given moment. No AWS here; the tracker and the sweeper persist the result.

A clock keeps the policy version it was started under; everything later (reminder, breach, each
escalation rung, the shift after a pause) is computed with that version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aduan.logic.clock import from_storage, to_storage
from aduan.logic.status_machine import Status
from aduan.models.sla import ClockState, StageClock, TicketClocks
from aduan.models.sla_config import AUTO_CLOSING, Limit, SlaPolicy, Stage, Subject
from aduan.models.ticket import ComplaintType, Priority

PolicyLookup = Callable[[str], SlaPolicy]  # "<id>@<version>" -> that policy

AGENCY_ANSWERED = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.RESOLVED, Status.RETURNED})
ENDED = frozenset({Status.CLOSED, Status.REJECTED, Status.DUPLICATE})
DESK_REASSIGNMENT = "assign"
BUMPED = {Priority.LOW: Priority.NORMAL, Priority.NORMAL: Priority.HIGH, Priority.HIGH: Priority.URGENT,
          Priority.URGENT: Priority.URGENT}


@dataclass(frozen=True)
class LifecycleStep:
    """What the tracker needs from a domain event."""

    ticket_version: int
    occurred_at: datetime
    from_status: Status | None
    to_status: Status | None
    agency_id: str | None
    category_id: str | None
    priority: Priority
    complaint_type: ComplaintType = ComplaintType.PENGADUAN
    level: int = 1  # depth of the holding agency in the hierarchy (1: assigned by the desk)
    action: str | None = None  # the lifecycle action (assign: the desk; dispose/return_up: inside an agency)


@dataclass(frozen=True)
class Firing:
    kind: str  # reminder | breach | escalation | auto_close
    stage: Stage
    clock: StageClock  # as it was when it fired
    rung: int = 0
    role: str | None = None


# ---------------------------------------------------------------------- one clock
def _shift(limit: Limit, policy: SlaPolicy, moment: datetime, gap: timedelta) -> datetime:
    return policy.working_calendar.add(moment, gap) if limit.on_working_time else moment + gap


def _gap(limit: Limit, policy: SlaPolicy, start: datetime, end: datetime) -> timedelta:
    return policy.working_calendar.between(start, end) if limit.on_working_time else max(end - start,
                                                                                           timedelta(0))


def _reminder_at(limit: Limit, policy: SlaPolicy, stage: Stage, start: datetime, due: datetime) -> datetime:
    fraction = policy.reminder_fraction(stage)
    span = _gap(limit, policy, start, due)
    return _shift(limit, policy, start, span * fraction)


def start_clock(clocks: TicketClocks, stage: Stage, moment: datetime, policy: SlaPolicy) -> StageClock:
    subject = Subject(clocks.category_id, clocks.priority, clocks.complaint_type, clocks.level)
    limit = policy.limit_for(stage, subject)
    rule = policy.stages[stage]
    due = limit.due(moment, policy.working_calendar)
    cap = rule.hard_cap.due(moment, policy.working_calendar) if rule.hard_cap else None
    if cap is not None:
        due = min(due, cap)
    previous = clocks.clocks.get(stage)
    clock = StageClock(
        stage=stage, cycle=previous.cycle + 1 if previous else 1, policy=policy.key, limit=limit,
        agency_id=clocks.agency_id, started_at=to_storage(moment), due_at=to_storage(due),
        remind_at=to_storage(_reminder_at(limit, policy, stage, moment, due)),
        hard_cap_at=to_storage(cap) if cap else None,
    )
    clocks.clocks[stage] = clock
    return clock


def stop_clock(clocks: TicketClocks, stage: Stage, moment: datetime, policy_of: PolicyLookup
               ) -> StageClock | None:
    """Stop a running or paused clock; returns it stopped (None when it was not running)."""
    clock = clocks.clocks.get(stage)
    if clock is None or clock.state == ClockState.STOPPED:
        return None
    if clock.state == ClockState.PAUSED:
        clock = _resumed(clock, moment, policy_of(clock.policy))
    stamp = to_storage(moment)
    stopped = clock.model_copy(update={"state": ClockState.STOPPED, "stopped_at": stamp,
                                       "met": clock.breached_at is None and stamp <= clock.due_at})
    clocks.clocks[stage] = stopped
    return stopped


def _resumed(clock: StageClock, moment: datetime, policy: SlaPolicy) -> StageClock:
    paused_at = from_storage(clock.paused_at or clock.started_at)
    gap = _gap(clock.limit, policy, paused_at, moment)
    due = _shift(clock.limit, policy, from_storage(clock.due_at), gap)
    if clock.hard_cap_at:
        due = min(due, from_storage(clock.hard_cap_at))
    update: dict[str, object] = {"state": ClockState.RUNNING, "paused_at": None, "due_at": to_storage(due),
                                 "paused_working_seconds": clock.paused_working_seconds
                                 + policy.working_calendar.between(paused_at, moment).total_seconds()}
    if clock.remind_at and not clock.reminded:
        update["remind_at"] = to_storage(min(_shift(clock.limit, policy, from_storage(clock.remind_at), gap),
                                             due))
    return clock.model_copy(update=update)


def elapsed(clock: StageClock, policy: SlaPolicy, until: datetime) -> timedelta:
    """Working time the clock ran (pauses excluded), measured on the working calendar."""
    end = from_storage(clock.stopped_at) if clock.stopped_at else until
    total = policy.working_calendar.between(from_storage(clock.started_at), end)
    calendar = policy.working_calendar
    paused_now = calendar.between(from_storage(clock.paused_at), end) if clock.paused_at else timedelta(0)
    return max(total - paused_now - timedelta(seconds=clock.paused_working_seconds), timedelta(0))


# ---------------------------------------------------------------------- lifecycle steps
# Steps that start, stop, pause or resume no clock once every earlier step is applied: work starting on an
# accepted complaint (the first response stopped at acceptance, the resolution clock runs on). The tracker
# records them without reading the clocks (dal/sla_store.py `advance`).
CLOCK_FREE = frozenset({(Status.ACCEPTED, Status.IN_PROGRESS)})


def clock_free(step: LifecycleStep) -> bool:
    return (step.from_status, step.to_status) in CLOCK_FREE


def apply_step(clocks: TicketClocks, step: LifecycleStep, policy: SlaPolicy, policy_of: PolicyLookup
               ) -> list[StageClock]:
    """Start/stop/pause/resume clocks for one lifecycle step; returns the clocks that stopped."""
    moment = step.occurred_at
    clocks.agency_id, clocks.category_id, clocks.priority = step.agency_id, step.category_id, step.priority
    clocks.complaint_type, clocks.level = step.complaint_type, step.level
    clocks.applied_version, clocks.applied_at = step.ticket_version, to_storage(moment)
    stopped: list[StageClock] = []

    def stop(*stages: Stage) -> None:
        for stage in stages:
            if (done := stop_clock(clocks, stage, moment, policy_of)) is not None:
                stopped.append(done)

    target, source = step.to_status, step.from_status
    if target == Status.NEED_INFO:
        for stage in list(clocks.clocks):
            _pause(clocks, stage, moment)
        # Waiting on the reporter is itself a stage with a hard limit, at the desk or at any agency level.
        start_clock(clocks, Stage.CITIZEN_INFO, moment, policy)
        return stopped
    if source == Status.NEED_INFO:
        stop(Stage.CITIZEN_INFO)
        for stage, clock in clocks.clocks.items():
            if clock.state == ClockState.PAUSED:
                clocks.clocks[stage] = _resumed(clock, moment, policy_of(clock.policy))
    if source == Status.FORWARDED:
        stop(Stage.EXTERNAL_ANSWER)
    if target == Status.FORWARDED:
        # The desk's disposition is done; the external body's time is its own stage.
        stop(Stage.VERIFICATION, Stage.DISPOSITION)
        start_clock(clocks, Stage.EXTERNAL_ANSWER, moment, policy)
        return stopped
    if target == Status.IN_REVIEW:
        # The agency answered: its resolution time stands still while the desk reviews the answer.
        stop(Stage.FIRST_RESPONSE)
        _pause(clocks, Stage.RESOLUTION, moment)
        start_clock(clocks, Stage.ANSWER_REVIEW, moment, policy)
        return stopped
    if source == Status.IN_REVIEW:
        stop(Stage.ANSWER_REVIEW)
        if target == Status.IN_PROGRESS:  # the desk returned the answer: the agency's clock runs again
            _resume(clocks, Stage.RESOLUTION, moment, policy_of)
            return stopped
    if target == Status.RECEIVED and source is None:
        start_clock(clocks, Stage.VERIFICATION, moment, policy)
    elif target == Status.VERIFIED and source != Status.NEED_INFO:
        stop(Stage.VERIFICATION)
        start_clock(clocks, Stage.DISPOSITION, moment, policy)
    elif target == Status.ASSIGNED and source != Status.NEED_INFO:
        stop(Stage.VERIFICATION, Stage.DISPOSITION, Stage.FIRST_RESPONSE)
        start_clock(clocks, Stage.FIRST_RESPONSE, moment, policy)
        resolution = clocks.clocks.get(Stage.RESOLUTION)
        if resolution is not None and resolution.state != ClockState.STOPPED and resolution.breached_at \
                and step.action == DESK_REASSIGNMENT and resolution.agency_id != step.agency_id:
            # Overdue with the agency that loses it: that breach stays its own, the new agency starts afresh.
            stop(Stage.RESOLUTION)
            resolution = clocks.clocks[Stage.RESOLUTION]
        if resolution is None or resolution.state == ClockState.STOPPED:
            start_clock(clocks, Stage.RESOLUTION, moment, policy)
        else:
            clocks.clocks[Stage.RESOLUTION] = _relabelled(resolution, clocks, policy_of(resolution.policy), moment)
    elif target in AGENCY_ANSWERED and source != Status.NEED_INFO:
        stop(Stage.FIRST_RESPONSE)
        if target == Status.RETURNED:
            start_clock(clocks, Stage.DISPOSITION, moment, policy)
        if target == Status.RESOLVED:
            stop(Stage.RESOLUTION)
            start_clock(clocks, Stage.CITIZEN_REPLY, moment, policy)
    elif target == Status.REOPENED:
        stop(Stage.CITIZEN_REPLY)
        start_clock(clocks, Stage.DISPOSITION, moment, policy)
    elif target in ENDED:
        stop(*Stage)
    return stopped


def _relabelled(clock: StageClock, clocks: TicketClocks, policy: SlaPolicy, moment: datetime) -> StageClock:
    """The running clock handed to the new holder (`clocks` already describes it): its agency, and the
    limit its policy sets for the holder's level, counted from the clock's start (pauses excluded), so a
    breach or an escalation after the handover names the agency that holds the complaint."""
    subject = Subject(clocks.category_id, clocks.priority, clocks.complaint_type, clocks.level)
    limit = policy.limit_for(clock.stage, subject)
    update: dict[str, object] = {"agency_id": clocks.agency_id}
    if limit != clock.limit and clock.breached_at is None:
        start = from_storage(clock.started_at)
        due = _shift(limit, policy, limit.due(start, policy.working_calendar),
                     timedelta(seconds=clock.paused_working_seconds))
        if clock.hard_cap_at:
            due = min(due, from_storage(clock.hard_cap_at))
        update |= {"limit": limit, "due_at": to_storage(due)}
        if not clock.reminded:
            update["remind_at"] = to_storage(max(_reminder_at(limit, policy, clock.stage, start, due), moment))
    return clock.model_copy(update=update)


def _pause(clocks: TicketClocks, stage: Stage, moment: datetime) -> None:
    clock = clocks.clocks.get(stage)
    if clock is not None and clock.state == ClockState.RUNNING:
        clocks.clocks[stage] = clock.model_copy(update={"state": ClockState.PAUSED, "paused_at": to_storage(moment)})


def _resume(clocks: TicketClocks, stage: Stage, moment: datetime, policy_of: PolicyLookup) -> None:
    clock = clocks.clocks.get(stage)
    if clock is not None and clock.state == ClockState.PAUSED:
        clocks.clocks[stage] = _resumed(clock, moment, policy_of(clock.policy))


# ---------------------------------------------------------------------- timers
def fire_due(clocks: TicketClocks, now: datetime, policy_of: PolicyLookup) -> list[Firing]:
    """Everything due at `now`, each once: the clocks are updated so that none fires again."""
    stamp = to_storage(now)
    firings: list[Firing] = []
    for stage in list(clocks.clocks):
        clock = clocks.clocks[stage]
        policy = policy_of(clock.policy)
        if clock.state == ClockState.STOPPED:
            continue
        deadline = clock.due_at if clock.state == ClockState.RUNNING else clock.hard_cap_at
        if clock.breached_at is None and deadline is not None and deadline <= stamp:
            if stage in AUTO_CLOSING:
                clock = clock.model_copy(update={"breached_at": deadline, "reminded": True})
                firings.append(Firing("auto_close", stage, clock))
                clock = clock.model_copy(update={"state": ClockState.STOPPED, "stopped_at": stamp, "met": True})
            else:
                first = policy.escalation[0]
                clock = clock.model_copy(update={"breached_at": deadline, "reminded": True, "rung": 1,
                                                 "next_rung_at": _next_rung(policy, stage, 1, deadline)})
                firings.append(Firing("breach", stage, clock, rung=1, role=first.role))
        elif (clock.state == ClockState.RUNNING and not clock.reminded and clock.remind_at
              and clock.remind_at <= stamp):
            clock = clock.model_copy(update={"reminded": True})
            firings.append(Firing("reminder", stage, clock))
        while (clock.state == ClockState.RUNNING and clock.next_rung_at is not None
               and clock.next_rung_at <= stamp):
            rung = policy.escalation[clock.rung]
            clock = clock.model_copy(update={
                "rung": clock.rung + 1,
                "next_rung_at": _next_rung(policy, stage, clock.rung + 1, clock.next_rung_at),
            })
            firings.append(Firing("escalation", stage, clock, rung=clock.rung, role=rung.role))
        clocks.clocks[stage] = clock
    return firings


def _next_rung(policy: SlaPolicy, stage: Stage, told: int, since: str) -> str | None:
    """When the rung after the `told` first ones is due, counted from the previous rung's moment."""
    if not policy.stages[stage].escalate or told >= len(policy.escalation):
        return None
    after = policy.escalation[told].after
    assert after is not None  # the policy validator guarantees it for every rung but the first
    return to_storage(after.due(from_storage(since), policy.working_calendar))


def next_fire_at(clocks: TicketClocks) -> str | None:
    """The earliest moment anything of this ticket can fire (the sparse index's sort key)."""
    moments: list[str] = []
    for clock in clocks.clocks.values():
        if clock.state == ClockState.STOPPED:
            continue
        if clock.breached_at is None:
            deadline = clock.due_at if clock.state == ClockState.RUNNING else clock.hard_cap_at
            if deadline:
                moments.append(deadline)
            if clock.state == ClockState.RUNNING and not clock.reminded and clock.remind_at:
                moments.append(clock.remind_at)
        elif clock.state == ClockState.RUNNING and clock.next_rung_at:
            moments.append(clock.next_rung_at)
    return min(moments) if moments else None


def open_clocks(clocks: TicketClocks) -> list[StageClock]:
    return sorted((c for c in clocks.clocks.values() if c.state != ClockState.STOPPED), key=lambda c: c.due_at)


def expected_datetime(clocks: TicketClocks) -> str | None:
    """Open311's expected_datetime: when resolution is due while the resolution clock runs."""
    resolution = clocks.clocks.get(Stage.RESOLUTION)
    return resolution.due_at if resolution and resolution.state != ClockState.STOPPED else None


def head_fields(clocks: TicketClocks) -> dict[str, Any]:
    """What a ticket shows of its clocks: expected datetime, overdue, the earliest open due time."""
    running = open_clocks(clocks)
    return {"expected_datetime": expected_datetime(clocks), "overdue": overdue(clocks),
            "sla_due_at": running[0].due_at if running else None}


def overdue(clocks: TicketClocks) -> bool:
    return any(c.breached_at is not None and c.stage != Stage.CITIZEN_REPLY for c in open_clocks(clocks))
