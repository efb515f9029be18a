"""Statistics from events, pure: what one event adds to which counters, and how stored counters
read back as numbers people use (compliance, median and p90 from fixed histograms, backlog ages).

An event touches *cells*. A flow cell counts what happened on one local day for one value of one
dimension within a scope: scope `city` has the dimensions `all`, `agency`, `category`, `channel`,
`area`; scope `agency:<id>` has `category`, `channel`, `area` (so an agency sees its own breakdown).
A backlog cell counts open tickets now, by status, for one value and one creation day (the age is
worked out when read). Cells are what reports read; what is *stored* is the finest grain they are sums
of (one *fact* per day and combination of all four dimensions, one *open* count per combination and
creation day), so an event writes one or two small items however many cells it touches.
Backlog moves with the latest known state of each ticket: a ticket's state
is replaced only by an event with a higher ticket version, so events may arrive in any order and
more than once (a fact counts an event once by its `marker`; the backlog moves only forward in versions) and
the result is the same.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from aduan.logic.attribution import (
    ANSWERS,
    HANDOVERS,
    RESOLUTION,
    RESPONSE,
    UNANSWERED,
    UNANSWERED_HANDOVERS,
    Credited,
    credit_steps,
)
from aduan.logic.domain_events import SLA_SOURCE
from aduan.logic.periods import local_day
from aduan.logic.status_machine import Status
from aduan.models.events import DomainEvent

NONE = "-"
DIMENSIONS = ("agency", "category", "channel", "area")
CITY = "city"
AGENCY_STAGES = ("first_response", "resolution")
STAGES = ("verification", "disposition", "first_response", "resolution", "citizen_reply")
# Upper bounds (hours) of the duration histograms; the last bucket is open-ended.
HOUR_BUCKETS = (1, 2, 4, 8, 12, 24, 48, 72, 120, 168, 240, 336, 504, 720)
AGE_BUCKETS = ((0, 2, "0-2d"), (3, 7, "3-7d"), (8, 14, "8-14d"), (15, 30, "15-30d"), (31, 10**6, "31d+"))
NOT_BACKLOG = frozenset({Status.CLOSED, Status.REJECTED, Status.DUPLICATE, Status.RESOLVED})
FLOW_COUNTERS = ("received", "verified", "rejected", "duplicate", "assigned", "resolved", "closed", "reopened")
# A sub-unit's own credit (response, resolution, SLA verdict) is also its tree's: stored as unit_<counter> on
# the sub-unit's fact and <counter> on the top agency's, so a total across agencies counts the tree once.
UNIT_PREFIX = "unit_"
TYPE_PREFIX = "type_"  # type_<complaint type>_<flow counter>: pengaduan, aspirasi, permintaan_informasi
# The bus events the statistics consume (StatsRule in template.yaml routes exactly these).
DOMAIN_TYPES = ("TicketCreated", "TicketVerified", "TicketAssigned", "TicketStatusChanged", "TicketResolved",
                "TicketClosed", "TicketReopened", "RatingGiven")
SLA_TYPES = ("SlaClockStopped", "SlaBreached")
# Steps that cannot change what the backlog counts besides the status (agency, category, channel, area, creation
# day): the state before one of them is its snapshot with its `from_status`, known without reading it.
KEEPS_DIMS = frozenset({"accept", "start", "resolve", "approve_answer", "return_answer", "close", "close_incomplete",
                        "request_info", "provide_info", "hold"})
RATING = "RatingGiven"
DESK_HELD = frozenset({Status.RECEIVED, Status.VERIFIED, Status.RETURNED})  # no agency holds it in these
ANSWERED = frozenset({Status.ACCEPTED, Status.IN_PROGRESS})  # reached only by the holder's answer
_BY_EVENT = {"TicketCreated": "received", "TicketVerified": "verified", "TicketAssigned": "assigned",
             "TicketResolved": "resolved", "TicketClosed": "closed", "TicketReopened": "reopened"}


@dataclass(frozen=True)
class TicketState:
    """What the backlog last counted for a ticket."""

    version: int
    status: str
    agency: str
    category: str
    channel: str
    area: str
    created_day: str

    def dims(self) -> dict[str, str]:
        return {"agency": self.agency, "category": self.category, "channel": self.channel, "area": self.area}


K = TypeVar("K")
# (agency, category, channel, area): the dimension values of a fact or an open count.
Combo = tuple[str, str, str, str]


def combo_of(dims: Mapping[str, str]) -> Combo:
    return dims["agency"], dims["category"], dims["channel"], dims["area"]


def dims_of(combo: Combo) -> dict[str, str]:
    return dict(zip(DIMENSIONS, combo, strict=True))


@dataclass
class Delta:
    """The effect of one event: counter increments per flow cell and per backlog cell, and the
    ticket's new state (None: unchanged). `facts` and `open` hold the same increments at the stored
    grain: (day, combo) and (combo, created day)."""

    flow: dict[tuple[str, str, str, str], Counter[str]] = field(default_factory=dict)  # scope, dim, day, value
    backlog: dict[tuple[str, str, str, str], Counter[str]] = field(default_factory=dict)  # scope, dim, value, day
    state: TicketState | None = None
    facts: dict[tuple[str, Combo], Counter[str]] = field(default_factory=dict)
    open: dict[tuple[Combo, str], Counter[str]] = field(default_factory=dict)


def cells(dims: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(scope, dimension, value) of every cell an event with these dimension values touches."""
    found = [(CITY, "all", "all")] + [(CITY, d, dims[d]) for d in DIMENSIONS]
    if dims["agency"] != NONE:
        found += [(f"agency:{dims['agency']}", d, dims[d]) for d in DIMENSIONS if d != "agency"]
    return found


def bucket(hours: float) -> int:
    return bisect.bisect_left(HOUR_BUCKETS, hours)


def _value(value: Any) -> str:
    return str(value) if value not in (None, "") else NONE


def state_of(event: DomainEvent, zone: str) -> TicketState:
    snap = event.ticket
    return TicketState(
        version=(snap.version if snap else 0) or event.ticket_version,
        status=str((snap.status if snap else None) or event.to_status or Status.RECEIVED.value),
        agency=_value(snap.assigned_agency_id if snap else None),
        category=_value(snap.category_id if snap else None),
        channel=_value(snap.channel if snap else None), area=_value(snap.area_code if snap else None),
        created_day=local_day((snap.created_at if snap else None) or event.occurred_at, zone),
    )


def domain_event(event: DomainEvent, previous: TicketState | None, zone: str,
                 credited: Sequence[Credited] = ()) -> Delta:
    """The effect of a ticket domain event (aduan.tickets); `credited`: what its timeline entry credits to
    the agencies that held the complaint (`credits_for`)."""
    delta = Delta()
    new = state_of(event, zone)
    counters: Counter[str] = Counter()
    kind = event.event_type
    if kind in _BY_EVENT:
        counters[_BY_EVENT[kind]] += 1
    to_status = event.to_status
    if kind == "TicketStatusChanged" and to_status in ("rejected", "duplicate"):
        counters[str(to_status)] += 1
    if kind == "RatingGiven" and event.data.get("score"):
        counters[f"rating_{int(event.data['score'])}"] += 1
    kind_of_report = event.ticket.complaint_type if event.ticket else None
    if kind_of_report:  # by complaint type: more counters on the same fact, not another item to write
        counters.update({f"{TYPE_PREFIX}{kind_of_report}_{name}": n for name, n in list(counters.items())
                         if name in FLOW_COUNTERS})
    day = local_day(event.occurred_at, zone)
    if counters:
        _count_flow(delta, day, new.dims(), counters)
    for item in credited:
        _count_flow(delta, day, {**new.dims(), "agency": item.agency}, Counter({_credit_counter(item): 1}))
    if moves_backlog(event) and (previous is None or new.version > previous.version):
        _move_backlog(delta, previous, new)
        delta.state = new
    return delta


def moves_backlog(event: DomainEvent) -> bool:
    """False for a step from a status the backlog does not count to another (a rating, resolved -> closed): the
    state before it and after it count the same (nothing), so it need not replace the state, whatever order
    events come in (the state of the newest step that does is the same in the backlog)."""
    after = event.to_status or (event.ticket.status if event.ticket else None)
    return not (event.from_status in NOT_BACKLOG and after in NOT_BACKLOG)


def known_before(event: DomainEvent, zone: str) -> tuple[bool, TicketState | None]:
    """(True, the state the backlog counted just before this event) when the event alone says it: nothing for a
    new ticket, its snapshot with `from_status` for a step that keeps the dimensions (its version one less, so
    a write on that condition also asserts the event is newer). (False, None): read the state."""
    if event.event_type == "TicketCreated":
        return True, None
    if event.action not in KEEPS_DIMS or event.from_status is None or event.ticket is None:
        return False, None
    after = state_of(event, zone)
    return True, TicketState(**{**vars(after), "version": after.version - 1, "status": str(event.from_status)})


def _credit_counter(item: Credited) -> str:
    hours = item.seconds / 3600
    name = {RESPONSE: f"frt_{bucket(hours)}", RESOLUTION: f"ttr_{bucket(hours)}", UNANSWERED: "unanswered"}[item.kind]
    return UNIT_PREFIX + name if item.unit else name


def _count_flow(delta: Delta, day: str, dims: Mapping[str, str], counters: Counter[str]) -> None:
    for scope, dim, value in cells(dims):
        delta.flow.setdefault((scope, dim, day, value), Counter()).update(counters)
    delta.facts.setdefault((day, combo_of(dims)), Counter()).update(counters)


def may_credit(event: DomainEvent, holder_is_top: bool = False) -> bool:
    """Whether a domain event can credit a response, a resolution or an unanswered handover: only these
    make the consumer read the ticket's timeline (docs/organisation.md#evaluation). Not one:
    - a handover from a status only the desk holds a complaint in: no agency lost it unanswered;
    - an answer from accepted or in progress that does not resolve, by a holder at the top of its tree (no
      sub-unit credit): those statuses are reached only by the holder's own answer since it received the
      complaint, so this is not its first (a sub-unit's own credit may still be open when its parent
      answered for it: read for those)."""
    if event.event_type == RATING or event.to_status is None:
        return False
    if event.to_status == Status.RESOLVED:
        return True
    if event.action in HANDOVERS and (event.action in ANSWERS or event.from_status not in DESK_HELD):
        return True
    return event.action in ANSWERS and not (holder_is_top and event.from_status in ANSWERED)


def lifecycle_entries(events: Iterable[DomainEvent]) -> list[DomainEvent]:
    """The ticket's lifecycle steps (SLA entries left out)."""
    return [event for event in events if not event.is_sla and event.to_status is not None]


def credits_for(event_id: str, timeline: Iterable[DomainEvent]) -> list[Credited]:
    """What one event credits, worked out from the ticket's timeline (docs/organisation.md#evaluation)."""
    return credit_steps(lifecycle_entries(timeline)).get(event_id, [])


def fold_units(flow: Counter[str], across_agencies: bool) -> Counter[str]:
    """Counters as a row reads them. One agency's row: its sub-unit credit (`unit_…`) counts as its own. A
    row summed across agencies (the city, a category, …): only the tree credit, so nothing counts twice."""
    folded: Counter[str] = Counter()
    for name, n in flow.items():
        if not name.startswith(UNIT_PREFIX):
            folded[name] += n
        elif not across_agencies:
            folded[name[len(UNIT_PREFIX):]] += n
    return folded


def _move_backlog(delta: Delta, old: TicketState | None, new: TicketState) -> None:
    for state, sign in ((old, -1), (new, 1)):
        if state is None or state.status in NOT_BACKLOG:
            continue
        for scope, dim, value in cells(state.dims()):
            key = (scope, dim, value, state.created_day)
            delta.backlog.setdefault(key, Counter())[f"n_{state.status}"] += sign
        delta.open.setdefault((combo_of(state.dims()), state.created_day), Counter())[f"n_{state.status}"] += sign
    _drop_zeros(delta.backlog)
    _drop_zeros(delta.open)


def _drop_zeros(found: dict[K, Counter[str]]) -> None:
    for key in list(found):
        found[key] = Counter({k: v for k, v in found[key].items() if v})
        if not found[key]:
            del found[key]


def _merge(into: dict[K, Counter[str]], found: Mapping[K, Counter[str]]) -> None:
    for key, counters in found.items():
        into.setdefault(key, Counter()).update(counters)


@dataclass
class TicketFold:
    """One ticket's domain events of a queue batch, applied to its backlog in arrival order as one at a time
    would be: the state read (`read`), the keys of the events that moved it, and their summed open counts."""

    read: TicketState | None
    guessed: bool = False  # `read` is what the events say it was (`known_before`), not what was read
    keys: list[str] = field(default_factory=list)
    delta: Delta = field(default_factory=Delta)

    @property
    def known(self) -> TicketState | None:
        """The ticket's state after the events folded so far: what the next event is counted against."""
        return self.delta.state or self.read

    def add(self, key: str, delta: Delta) -> None:
        """An event newer than the state known (`delta.state` set): its backlog move."""
        if delta.state is None:
            return
        self.keys.append(key)
        _merge(self.delta.backlog, delta.backlog)
        _merge(self.delta.open, delta.open)
        _drop_zeros(self.delta.backlog)
        _drop_zeros(self.delta.open)  # a status passed through within the batch moves no open count
        self.delta.state = delta.state


FactKey = tuple[str, Combo]  # (local day, combination): one stored fact
# A fact's counters per event marker: one conditional ADD per fact, split per event when one was counted before.
MarkedFacts = dict[FactKey, dict[str, Counter[str]]]


def marker(key: str) -> str:
    """What a counted event leaves on each fact it added to (`applied`): 8 characters, 48 bits of its key's
    hash, so a fact stays small (a collision among one fact's few dozen events: about 1 in 10^11)."""
    return base64.urlsafe_b64encode(hashlib.blake2b(key.encode(), digest_size=6).digest()).decode()


def add_marked(into: MarkedFacts, key: str, delta: Delta) -> None:
    mark = marker(key)
    for fact, counters in delta.facts.items():
        into.setdefault(fact, {}).setdefault(mark, Counter()).update(counters)


def first_response_stop(event: DomainEvent) -> bool:
    return event.event_type == "SlaClockStopped" and event.stage == "first_response"


def handed_on(event: DomainEvent, action_at_stop: str | None) -> bool:
    """A first-response clock stopped by the desk reassigning the complaint, not by the holder answering
    (docs/organisation.md#evaluation): the holder lost it before answering, it did not respond on time."""
    return first_response_stop(event) and action_at_stop in UNANSWERED_HANDOVERS


def action_at(events: Iterable[DomainEvent], moment: str) -> str | None:
    """The action of the lifecycle entry at `moment` (the step that stopped an SLA clock)."""
    for event in events:
        if event.occurred_at == moment and not event.is_sla and event.action:
            return event.action
    return None


def stopped_at(event: DomainEvent) -> str:
    return str(event.data.get("stopped_at"))


def sla_event(event: DomainEvent, known: TicketState | None, zone: str, handed_over: bool = False,
              top: str | None = None) -> Delta:
    """SlaClockStopped (met or breached, per stage; `handed_over`: neither, see `handed_on`) and
    SlaBreached (an overdue alert) from aduan.sla. `top`: the agency at the top of the clock's agency's
    path (configuration): a sub-unit's verdict is also its tree's."""
    stage = str(event.stage or NONE)
    if event.event_type == "SlaClockStopped":
        verdict = "handed_on" if handed_over else "met" if event.data.get("met") else "breached"
        name, moment = f"sla_{verdict}_{stage}", event.data.get("stopped_at")
    else:
        name, moment = f"overdue_{stage}", event.occurred_at
    # Only the agency stages are an agency's to meet; the desk's (verification, disposition, answer review),
    # the reporter's and an external body's clocks carry the agency the ticket had, not one that held it.
    agency = event.agency_id if stage in AGENCY_STAGES else None
    snap = event.ticket  # the ticket when the clock stopped: the same whatever the arrival order
    dims = {"agency": _value(agency), "category": _value(event.category_id),
            "channel": _value(snap.channel) if snap else known.channel if known else NONE,
            "area": _value(snap.area_code) if snap else known.area if known else NONE}
    day = local_day(str(moment or event.occurred_at), zone)
    delta = Delta()
    if agency and top and top != agency:
        _count_flow(delta, day, dims, Counter({UNIT_PREFIX + name: 1}))
        _count_flow(delta, day, {**dims, "agency": top}, Counter({name: 1}))
    else:
        _count_flow(delta, day, dims, Counter({name: 1}))
    return delta


def counted_type(event: DomainEvent) -> bool:
    """Whether the statistics count this bus event at all."""
    return event.event_type in (SLA_TYPES if event.source == SLA_SOURCE else DOMAIN_TYPES)


def dedupe_key(event: DomainEvent) -> str:
    """What a counted event is known by: its marker on the facts it added to is this key's (`marker`)."""
    return sla_dedupe_key(event) if event.source == SLA_SOURCE else event.event_id


def sla_dedupe_key(event: DomainEvent) -> str:
    """SLA events may be published again with a new envelope id: key them by what they say."""
    if event.event_id:
        return event.event_id
    if event.event_type == "SlaClockStopped":
        return f"{event.ticket_id}#{event.stage}#stopped#{stopped_at(event)}"
    if event.event_type == "SlaBreached":
        return f"{event.ticket_id}#{event.stage}#breached#{event.rung}#{event.due_at}"
    return event.envelope_id


# ---------------------------------------------------------------------- in memory (rebuild, tests)
@dataclass
class Aggregate:
    flow: dict[tuple[str, str, str, str], Counter[str]] = field(default_factory=dict)
    backlog: dict[tuple[str, str, str, str], Counter[str]] = field(default_factory=dict)
    states: dict[str, TicketState] = field(default_factory=dict)
    facts: dict[FactKey, Counter[str]] = field(default_factory=dict)
    open: dict[tuple[Combo, str], Counter[str]] = field(default_factory=dict)
    applied: dict[FactKey, set[str]] = field(default_factory=dict)  # fact -> the markers of the events it counts

    def add(self, ticket_id: str | None, delta: Delta, key: str) -> None:
        _merge(self.flow, delta.flow)
        _merge(self.backlog, delta.backlog)
        _merge(self.facts, delta.facts)
        _merge(self.open, delta.open)
        if ticket_id and delta.state is not None:
            self.states[ticket_id] = delta.state
        for fact in delta.facts:
            self.applied.setdefault(fact, set()).add(marker(key))


def replay(events: Iterable[DomainEvent], zone: str, top_of: Mapping[str, str] | None = None) -> Aggregate:
    """Events in any order, without duplicates -> the aggregate. `top_of`: agency -> the agency at the top
    of its path (sub-units only)."""
    aggregate = Aggregate()
    sla: list[DomainEvent] = []
    domain: list[DomainEvent] = []
    lifecycle: dict[str, list[DomainEvent]] = {}  # ticket id -> its lifecycle: what stopped a clock, credits
    for event in events:
        if event.source == SLA_SOURCE:
            if event.event_type in SLA_TYPES:
                sla.append(event)
            continue
        lifecycle.setdefault(event.ticket_id, []).append(event)
        if event.event_type in DOMAIN_TYPES:
            domain.append(event)
    credited = {ticket_id: credit_steps(lifecycle_entries(found)) for ticket_id, found in lifecycle.items()}
    for event in domain:
        delta = domain_event(event, aggregate.states.get(event.ticket_id), zone,
                             credited[event.ticket_id].get(event.event_id, []))
        aggregate.add(event.ticket_id, delta, dedupe_key(event))
    for event in sla:
        stopper = action_at(lifecycle.get(event.ticket_id, []), stopped_at(event))
        top = (top_of or {}).get(str(event.agency_id))
        delta = sla_event(event, aggregate.states.get(event.ticket_id), zone, handed_on(event, stopper), top)
        aggregate.add(None, delta, dedupe_key(event))
    return aggregate


# ---------------------------------------------------------------------- reading
def quantile(histogram: Mapping[int, int], q: float) -> float | None:
    """The upper bound (hours) of the bucket holding the q-quantile; None without data."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = q * total, 0
    for index in range(len(HOUR_BUCKETS) + 1):
        seen += histogram.get(index, 0)
        if seen >= rank:
            return float(HOUR_BUCKETS[index]) if index < len(HOUR_BUCKETS) else float("inf")
    return float("inf")


def age_bucket(created_day: str, today: date) -> str:
    age = (today - date.fromisoformat(created_day)).days
    return next(label for low, high, label in AGE_BUCKETS if low <= age <= high) if age >= 0 else AGE_BUCKETS[0][2]


def summary(flow: Counter[str], backlog: Mapping[str, Counter[str]], today: date) -> dict[str, Any]:
    """A row of GET /v1/stats: totals, SLA compliance per stage, durations, ratings and backlog.
    `backlog` maps creation day -> status counters."""
    row: dict[str, Any] = {name: flow.get(name, 0) for name in FLOW_COUNTERS}
    sla: dict[str, dict[str, Any]] = {}
    for stage in STAGES:
        met, breached = flow.get(f"sla_met_{stage}", 0), flow.get(f"sla_breached_{stage}", 0)
        lost = flow.get(f"sla_handed_on_{stage}", 0)  # reassigned before answering: no verdict, not on time
        if met or breached or lost or flow.get(f"overdue_{stage}", 0):
            sla[stage] = {"met": met, "breached": breached, "overdue_alerts": flow.get(f"overdue_{stage}", 0),
                          "compliance": round(met / (met + breached), 4) if met + breached else None}
            if lost:
                sla[stage]["handed_on_unanswered"] = lost
    met_all = sum(int(v["met"]) for v in sla.values())
    stopped_all = met_all + sum(int(v["breached"]) for v in sla.values())
    row["sla"] = sla
    row["by_type"] = _by_type(flow)
    row["sla_compliance"] = round(met_all / stopped_all, 4) if stopped_all else None
    for prefix, name in (("frt", "first_response_hours"), ("ttr", "resolution_hours")):
        histogram = {i: flow.get(f"{prefix}_{i}", 0) for i in range(len(HOUR_BUCKETS) + 1)}
        row[name] = {"count": sum(histogram.values()), "median": _finite(quantile(histogram, 0.5)),
                     "p90": _finite(quantile(histogram, 0.9)),
                     "histogram": {_bucket_label(i): n for i, n in histogram.items() if n}}
    # Received and handed on by the desk (or a parent) before answering: not a response, never on time.
    row["first_response_hours"]["handed_on_unanswered"] = flow.get("unanswered", 0)
    ratings = {str(score): flow.get(f"rating_{score}", 0) for score in range(1, 6)}
    count = sum(ratings.values())
    row["ratings"] = {"distribution": ratings, "count": count,
                      "average": round(sum(int(s) * n for s, n in ratings.items()) / count, 2) if count else None}
    by_status: Counter[str] = Counter()
    by_age: Counter[str] = Counter()
    for created_day, counters in backlog.items():
        for name, n in counters.items():
            if n and name.startswith("n_"):
                by_status[name[2:]] += n
                by_age[age_bucket(created_day, today)] += n
    row["backlog"] = {"total": sum(by_status.values()), "by_status": dict(sorted(by_status.items())),
                      "by_age": {label: by_age.get(label, 0) for _, _, label in AGE_BUCKETS}}
    return row


def _by_type(flow: Counter[str]) -> dict[str, dict[str, int]]:
    """Flow counters per complaint type (LAPOR!'s pengaduan, aspirasi, permintaan informasi)."""
    found: dict[str, dict[str, int]] = {}
    for name, n in flow.items():
        if n and name.startswith(TYPE_PREFIX):
            for counter in FLOW_COUNTERS:
                if name.endswith(f"_{counter}"):
                    kind = name[len(TYPE_PREFIX):-len(counter) - 1]
                    found.setdefault(kind, dict.fromkeys(FLOW_COUNTERS, 0))[counter] = n
    return dict(sorted(found.items()))


def _finite(value: float | None) -> float | str | None:
    return f">{HOUR_BUCKETS[-1]}" if value == float("inf") else value


def _bucket_label(index: int) -> str:
    if index >= len(HOUR_BUCKETS):
        return f">{HOUR_BUCKETS[-1]}h"
    return f"<={HOUR_BUCKETS[index]}h"

