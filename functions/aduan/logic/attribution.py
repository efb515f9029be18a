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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from aduan.logic.clock import from_storage
from aduan.logic.status_machine import Action, EventType, Role, Status
from aduan.models.ticket import TimelineEntry

DESK = "desk"
ANSWERS = frozenset({Action.ACCEPT.value, Action.START.value, Action.RESOLVE.value, Action.DISPOSE.value,
                     Action.RETURN_UP.value, Action.NOT_OUR_AUTHORITY.value})
HANDOVERS = frozenset({Action.ASSIGN.value, Action.DISPOSE.value, Action.RETURN_UP.value})
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


def _holder_after(entry: TimelineEntry, holder: str | None, top: str | None) -> tuple[str | None, str | None]:
    if entry.action in HANDOVERS:
        agency = str(entry.data.get("agency_id") or "")
        if entry.action == Action.ASSIGN.value:
            return agency, agency
        return agency, top  # within the same agency tree
    if entry.action == Action.NOT_OUR_AUTHORITY.value:
        return DESK, DESK
    return holder, top


def intervals(entries: Iterable[TimelineEntry]) -> list[Interval]:
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


def credits(entries: list[TimelineEntry], now: datetime) -> dict[str, Credit]:
    """Per agency id what it is credited with: an agency at the top of a path for its whole tree (its
    response is the first answer by anyone in it), a sub-unit for its own holding."""
    table: dict[str, Credit] = {}
    for scope in (_tree, _unit):
        for interval in intervals(entries):
            if (key := scope(interval.holder, interval.top)) is not None:
                table.setdefault(key, Credit()).held_seconds += interval.seconds(now)
        _credit_answers(entries, scope, table)
    return table


def _credit_answers(entries: list[TimelineEntry], scope: Callable[[str | None, str | None], str | None],
                    table: dict[str, Credit]) -> None:
    holder: str | None = DESK
    top: str | None = DESK
    key: str | None = None
    received_at: datetime | None = None
    answered = False
    paused = 0.0
    paused_since: datetime | None = None
    for entry in entries:
        if entry.to_status is None or entry.event_type == EventType.TICKET_CREATED:
            continue
        moment = from_storage(entry.occurred_at)
        if paused_since is not None and entry.to_status not in (Status.NEED_INFO, Status.IN_REVIEW):
            paused += (moment - paused_since).total_seconds()
            paused_since = None
        holder, top = _holder_after(entry, holder, top)
        row = table.setdefault(key, Credit()) if key is not None and received_at is not None else None
        if row is not None and received_at is not None:
            # A parent redirecting its sub-unit's complaint answers for the tree, not for that sub-unit.
            by_holder = scope is _tree or entry.actor.role != Role.PARENT_AGENCY
            if entry.action in ANSWERS and not answered and by_holder:
                answered = True
                row.responded += 1
                row.response_seconds.append((moment - received_at).total_seconds())
            if entry.action == Action.RESOLVE.value:
                row.resolved += 1
                row.resolution_seconds.append((moment - received_at).total_seconds() - paused)
        new_key = scope(holder, top)
        if new_key != key:
            if row is not None and not answered:
                row.not_responded += 1
            key, received_at, answered, paused = new_key, moment, False, 0.0
            if key is not None:
                table.setdefault(key, Credit()).received += 1
        if entry.to_status in (Status.NEED_INFO, Status.IN_REVIEW):
            paused_since = moment
