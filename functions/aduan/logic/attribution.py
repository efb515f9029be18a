"""Evaluation that can be trusted (issue 15, item 7): who actually held a complaint in each interval of
its life, and which agency (and sub-unit) each response and resolution is credited to. Pure: the
ticket's timeline in, intervals and credits out; the statistics engine folds these per period.

Rules (docs/organisation.md#evaluation):
- the holder is the agency the complaint is assigned/disposed to; the desk holds it before assignment,
  after `not_our_authority` and while it reviews an answer; nobody holds it while we wait for the
  reporter (`need_info`) or after it is resolved;
- a response is credited to the holder that answered (accept, start, resolve, dispose, return_up,
  not_our_authority), timed from when *that holder* received it. A holder that lost the complaint to a
  reassignment before answering is counted as not having responded, never as on time;
- a resolution is credited to the holder that submitted the answer, timed from when that holder
  received it, minus the time spent waiting for the reporter and in desk review;
- a sub-unit's credit also counts for the agency at the top of its path (the dinas, the kecamatan).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from aduan.logic.clock import from_storage
from aduan.logic.status_machine import Action, EventType, Role, Status
from aduan.models.ticket import Actor


class Step(Protocol):
    """One timeline entry as attribution reads it: a stored TimelineEntry or a DomainEvent."""

    @property
    def event_id(self) -> str: ...
    @property
    def event_type(self) -> str: ...
    @property
    def occurred_at(self) -> str: ...
    @property
    def to_status(self) -> Status | None: ...
    @property
    def action(self) -> str | None: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def ticket_version(self) -> int: ...
    @property
    def actor(self) -> Actor | None: ...

DESK = "desk"
ANSWERS = frozenset({Action.ACCEPT.value, Action.START.value, Action.RESOLVE.value, Action.DISPOSE.value,
                     Action.RETURN_UP.value, Action.NOT_OUR_AUTHORITY.value,
                     Action.RECORD_EXTERNAL_ANSWER.value})
HANDOVERS = frozenset({Action.ASSIGN.value, Action.DISPOSE.value, Action.RETURN_UP.value, Action.FORWARD.value})
# Every assignment by the desk is a fresh receipt, even to the agency that had it (after a reopening).
RECEIPTS = frozenset({Action.ASSIGN.value, Action.FORWARD.value})
PAUSING = frozenset({Status.NEED_INFO, Status.IN_REVIEW})
# A handover that is not an answer: the desk taking the complaint from an agency that had not answered.
UNANSWERED_HANDOVERS = HANDOVERS - ANSWERS
UNHELD = frozenset({Status.NEED_INFO, Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.DUPLICATE})


@dataclass(frozen=True)
class Interval:
    holder: str | None  # an agency id, DESK, or None (waiting for the reporter, or done)
    top: str | None  # the agency at the top of the holder's path (itself for an OPD)
    start: datetime
    end: datetime | None  # None: still open

    def seconds(self, now: datetime) -> float:
        return ((self.end or now) - self.start).total_seconds()


@dataclass
class Credit:
    held_seconds: float = 0.0
    received: int = 0  # times it was handed this complaint
    responded: int = 0
    not_responded: int = 0  # handed on (by the desk or a parent) before it answered
    response_seconds: list[float] = field(default_factory=list)
    resolved: int = 0
    resolution_seconds: list[float] = field(default_factory=list)


def _holder_after(entry: Step, holder: str | None, top: str | None) -> tuple[str | None, str | None]:
    if entry.action in HANDOVERS:
        agency = str(entry.data.get("agency_id") or "")
        if entry.action in RECEIPTS:
            return agency, agency
        return agency, top  # within the same agency tree
    if entry.action == Action.NOT_OUR_AUTHORITY.value:
        return DESK, DESK
    return holder, top


def intervals(entries: Iterable[Step]) -> list[Interval]:
    """Consecutive holding intervals from the lifecycle entries (oldest first)."""
    found: list[Interval] = []
    holder: str | None = DESK
    top: str | None = DESK
    for entry in entries:
        if entry.to_status is None or entry.event_type in (EventType.COMMENT_ADDED, EventType.RATING_GIVEN):
            continue
        moment = from_storage(entry.occurred_at)
        if entry.event_type == EventType.TICKET_CREATED:
            found.append(Interval(DESK, DESK, moment, None))
            continue
        holder, top = _holder_after(entry, holder, top)
        current = (None, None) if entry.to_status in UNHELD else (
            (DESK, top) if entry.to_status == Status.IN_REVIEW else (holder, top))
        if found and (found[-1].holder, found[-1].top) == current:
            continue
        if found:
            found[-1] = Interval(found[-1].holder, found[-1].top, found[-1].start, moment)
        found.append(Interval(current[0], current[1], moment, None))
    return found


def _tree(holder: str | None, top: str | None) -> str | None:
    return top if holder not in (None, DESK) and top != DESK else None


def _unit(holder: str | None, top: str | None) -> str | None:
    return holder if holder not in (DESK, top) else None


@dataclass(frozen=True)
class Credited:
    """One thing the entry `event_id` credits to `agency`: `unit` credits are a sub-unit's own (its tree's
    top is credited separately, so a city total counts the tree credit only)."""

    event_id: str
    agency: str
    unit: bool
    kind: str  # RESPONSE | UNANSWERED | RESOLUTION
    seconds: float = 0.0


RESPONSE, UNANSWERED, RESOLUTION = "response", "unanswered", "resolution"


def credits(entries: Sequence[Step], now: datetime) -> dict[str, Credit]:
    """Per agency id what it is credited with: an agency at the top of a path for its whole tree (its
    response is the first answer by anyone in it), a sub-unit for its own holding."""
    table: dict[str, Credit] = {}
    for scope in (_tree, _unit):
        for interval in intervals(entries):
            if (key := scope(interval.holder, interval.top)) is not None:
                table.setdefault(key, Credit()).held_seconds += interval.seconds(now)
    for found in credit_steps(entries).values():
        for item in found:
            row = table.setdefault(item.agency, Credit())
            if item.kind == RESPONSE:
                row.responded += 1
                row.response_seconds.append(item.seconds)
            elif item.kind == UNANSWERED:
                row.not_responded += 1
            else:
                row.resolved += 1
                row.resolution_seconds.append(item.seconds)
    for scope in (_tree, _unit):
        for key in _receipts(entries, scope):
            table.setdefault(key, Credit()).received += 1
    return table


def lifecycle_order(entries: Iterable[Step]) -> list[Step]:
    """The lifecycle entries oldest first, in an order that does not depend on arrival."""
    return sorted((e for e in entries if e.to_status is not None),
                  key=lambda e: (e.occurred_at, e.ticket_version, e.event_id))


def credit_steps(entries: Iterable[Step]) -> dict[str, list[Credited]]:
    """event id -> what that entry credits, for the tree scope and the sub-unit scope. An entry's credits
    depend only on the entries before it, so the statistics consumer (which reads the timeline when the
    event arrives) and the rebuild (which replays the whole history) credit the same."""
    ordered = lifecycle_order(entries)
    found: dict[str, list[Credited]] = {}
    for scope in (_tree, _unit):
        for item in _scan(ordered, scope):
            found.setdefault(item.event_id, []).append(item)
    return found


def _receipts(entries: Sequence[Step], scope: Callable[[str | None, str | None], str | None]) -> list[str]:
    holder: str | None = DESK
    top: str | None = DESK
    key: str | None = None
    received: list[str] = []
    for entry in lifecycle_order(entries):
        if entry.event_type == EventType.TICKET_CREATED:
            continue
        holder, top = _holder_after(entry, holder, top)
        new_key = scope(holder, top)
        if new_key is not None and (new_key != key or entry.action in RECEIPTS):
            received.append(new_key)
        key = new_key
    return received


def _scan(entries: Sequence[Step], scope: Callable[[str | None, str | None], str | None]
          ) -> Iterable[Credited]:
    holder: str | None = DESK
    top: str | None = DESK
    key: str | None = None
    received_at: datetime | None = None
    answered = False
    paused = 0.0  # seconds waiting for the reporter or in desk review since the holder received it
    paused_since: datetime | None = None
    unit = scope is _unit
    for entry in entries:
        # A rating keeps the status it found (resolved): it is not a second resolution.
        if entry.event_type in (EventType.TICKET_CREATED, EventType.RATING_GIVEN):
            continue
        moment = from_storage(entry.occurred_at)
        if paused_since is not None and entry.to_status not in PAUSING:
            paused += (moment - paused_since).total_seconds()
            paused_since = None
        holder, top = _holder_after(entry, holder, top)
        if key is not None and received_at is not None:
            spent = (moment - received_at).total_seconds() - paused
            # A parent redirecting its sub-unit's complaint answers for the tree, not for that sub-unit.
            by_holder = not unit or entry.actor is None or entry.actor.role != Role.PARENT_AGENCY
            if entry.action in ANSWERS and not answered and by_holder:
                answered = True
                yield Credited(entry.event_id, key, unit, RESPONSE, spent)
            if entry.to_status == Status.RESOLVED:
                yield Credited(entry.event_id, key, unit, RESOLUTION, spent)
        new_key = scope(holder, top)
        if new_key != key or (new_key is not None and entry.action in RECEIPTS):
            if key is not None and received_at is not None and not answered:
                yield Credited(entry.event_id, key, unit, UNANSWERED)
            key, received_at, answered, paused = new_key, moment, False, 0.0
        if entry.to_status in PAUSING and paused_since is None:
            paused_since = moment
