"""Statistics use cases: record an event once, and read the numbers for officers and the public."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from aduan.dal.stats import StaleState, StatsRepository
from aduan.logic import stats
from aduan.logic.access import Principal
from aduan.logic.attribution import Credited
from aduan.logic.domain_events import SLA_SOURCE
from aduan.logic.errors import Forbidden, Unprocessable
from aduan.logic.lifecycle import Policy
from aduan.logic.periods import local_today, parse_day
from aduan.logic.status_machine import Role
from aduan.models.config import CityConfig
from aduan.models.events import DomainEvent

GROUPS = ("agency", "category", "channel", "area")
DEFAULT_DAYS = 30
MAX_DAYS = 366
TRENDING_MIN = 3
STALE_RETRIES = 3  # backlog writes refused because the ticket's state moved, before the message is retried
UNASSIGNED = "Belum di OPD (meja P3M) / not at an agency (desk)"


@dataclass
class StatsService:
    repository: StatsRepository
    config: Callable[[], CityConfig]
    # A ticket's stored timeline by tracking code: what stopped a first-response clock and who an answer or
    # a handover credits (one Query, read only, for those events only).
    timeline: Callable[[str], Iterable[DomainEvent]] | None = None

    @property
    def _zone(self) -> str:
        return self.config().settings.timezone

    def today(self) -> date:
        return local_today(self._zone)

    # ------------------------------------------------------------------ recording
    def record(self, event: DomainEvent) -> bool:
        """Apply one bus event; False when it was counted before (or is not one we count)."""
        return self.record_batch([event])[0]

    def record_batch(self, events: Sequence[DomainEvent | None]) -> list[bool]:
        """Apply a queue batch's events (docs/statistics.md#exactly-once-in-any-order): each fact touched once
        with the batch's counters and each event's marker, each ticket's backlog once, its events folded in
        arrival order. True for each event counted now. Raises StaleState when a ticket's state kept changing
        under us: what was written stays (every write is exactly-once), and the caller counts the batch one
        message at a time."""
        keys = _keys(events)
        firsts: dict[str, DomainEvent] = {}  # ticket id -> its first event of the batch whose state counts
        for event, key in zip(events, keys, strict=True):
            if event is not None and key is not None and (
                    stats.moves_backlog(event) if event.source != SLA_SOURCE else event.ticket is None):
                firsts.setdefault(event.ticket_id, event)
        folds = {ticket_id: self._fold(event) for ticket_id, event in sorted(firsts.items())}
        facts: stats.MarkedFacts = {}
        for event, key in zip(events, keys, strict=True):
            if event is not None and key is not None:
                fold = folds.get(event.ticket_id)
                delta = self._effect(event, fold.known if fold else None)
                stats.add_marked(facts, key, delta)
                if fold is not None:
                    fold.add(key, delta)
        applied = self.repository.add_facts(facts)
        moved = self._move_backlogs(folds, [(event, key) for event, key in zip(events, keys, strict=True)
                                            if event is not None and key is not None and event.source != SLA_SOURCE])
        return [key is not None and (stats.marker(key) in applied or key in moved) for key in keys]

    def _move_backlogs(self, folds: dict[str, stats.TicketFold], domain: list[tuple[DomainEvent, str]]) -> set[str]:
        """Each ticket's folded backlog move, on condition of the version read; a refused one (a concurrent
        change, or a stale eventually consistent read) is folded again on a consistent read. The keys moved."""
        moved: set[str] = set()
        for ticket_id, fold in folds.items():
            for _ in range(STALE_RETRIES):
                if fold.delta.state is None or self.repository.move(
                        ticket_id, fold.delta.state, fold.read, fold.guessed, fold.delta.open):
                    break
                fold = stats.TicketFold(self.repository.state(ticket_id, consistent=True))
                for event, key in domain:
                    if event.ticket_id == ticket_id:
                        fold.add(key, stats.domain_event(event, fold.known, self._zone))
            else:
                raise StaleState(ticket_id)
            moved.update(fold.keys)
        return moved

    def _fold(self, first: DomainEvent) -> stats.TicketFold:
        """A ticket's backlog fold, from the state its first event says it had (no read: the write is conditional
        on exactly that state), else from the state read (eventually consistent)."""
        known, before = stats.known_before(first, self._zone) if first.source != SLA_SOURCE else (False, None)
        if known:
            return stats.TicketFold(before, guessed=True)
        return stats.TicketFold(self.repository.state(first.ticket_id))

    def _effect(self, event: DomainEvent, known: stats.TicketState | None) -> stats.Delta:
        """What an event adds, given the ticket's counted state."""
        if event.source == SLA_SOURCE:
            top = Policy.of(self.config()).tops().get(str(event.agency_id))
            return stats.sla_event(event, known, self._zone, self._handed_on(event), top)
        return stats.domain_event(event, known, self._zone, self._credits(event))

    def _credits(self, event: DomainEvent) -> list[Credited]:
        holder = event.ticket.assigned_agency_id if event.ticket else None
        on_top = holder is not None and holder not in Policy.of(self.config()).tops()
        if self.timeline is None or not stats.may_credit(event, on_top):
            return []
        return stats.credits_for(event.event_id, self.timeline(event.tracking_code))

    def _handed_on(self, event: DomainEvent) -> bool:
        if self.timeline is None or not stats.first_response_stop(event):
            return False  # only a first-response stop can be a handover: read the timeline just for those
        return stats.handed_on(event, stats.action_at(self.timeline(event.tracking_code), stats.stopped_at(event)))

    # ------------------------------------------------------------------ reading
    def period(self, date_from: str | None, date_to: str | None) -> tuple[date, date]:
        end = parse_day(date_to, "to") if date_to else self.today()
        start = parse_day(date_from, "from") if date_from else end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end or (end - start).days >= MAX_DAYS:
            raise Unprocessable(f"from must be on or before to, at most {MAX_DAYS} days apart",
                                details=[{"field": "from", "message": "invalid period"}])
        return start, end

    def _scope(self, principal: Principal, group_by: str, agency_id: str | None) -> tuple[str, str | None]:
        """(scope, only this value of the group) the caller may read."""
        if principal.sees_everything:
            if agency_id and group_by != "agency":
                return f"agency:{agency_id}", None
            return stats.CITY, agency_id
        if Role.AGENCY_OFFICER in principal.roles and principal.agency_id:
            if agency_id and agency_id != principal.agency_id:
                raise Forbidden(f"you may only see statistics of {principal.agency_id}")
            if group_by == "agency":
                return stats.CITY, principal.agency_id
            return f"agency:{principal.agency_id}", None
        raise Forbidden("statistics are for officers; see GET /v1/public/stats")

    def rows(self, scope: str, dim: str, start: date, end: date) -> dict[str, dict[str, Any]]:
        flows: dict[str, Counter[str]] = {}
        across = scope == stats.CITY and dim != "agency"  # rows summed over agencies count a tree once
        for (_, value), counters in self.repository.flow(scope, dim, start, end).items():
            flows.setdefault(value, Counter()).update(stats.fold_units(counters, across))
        backlog = self.repository.backlog(scope, dim)
        today = self.today()
        return {value: stats.summary(flows.get(value, Counter()), backlog.get(value, {}), today)
                for value in sorted(set(flows) | set(backlog))}

    def report(self, principal: Principal, date_from: str | None, date_to: str | None, group_by: str,
               agency_id: str | None = None) -> dict[str, Any]:
        if group_by not in GROUPS:
            raise Unprocessable(f"group_by is one of {', '.join(GROUPS)}",
                                details=[{"field": "group_by", "message": "unknown"}])
        start, end = self.period(date_from, date_to)
        scope, only = self._scope(principal, group_by, agency_id)
        rows = self.rows(scope, group_by, start, end)
        if only is not None:
            rows = {value: row for value, row in rows.items() if value == only}
        totals = self._totals(scope, start, end) if only is None else rows.get(only)
        return {"from": start.isoformat(), "to": end.isoformat(), "group_by": group_by, "scope": scope,
                "timezone": self._zone, "totals": totals,
                "rows": [{"key": value, **row} for value, row in rows.items()]}

    def _totals(self, scope: str, start: date, end: date) -> dict[str, Any]:
        """The whole scope: the city's `all` cell, or an agency's cells summed over one dimension."""
        if scope == stats.CITY:
            return self.rows(scope, "all", start, end).get("all") or stats.summary(Counter(), {}, self.today())
        flow: Counter[str] = Counter()
        for counters in self.repository.flow(scope, "channel", start, end).values():
            flow.update(stats.fold_units(counters, across_agencies=False))
        backlog: dict[str, Counter[str]] = {}
        for by_day in self.repository.backlog(scope, "channel").values():
            for day, counters in by_day.items():
                backlog.setdefault(day, Counter()).update(counters)
        return stats.summary(flow, backlog, self.today())

    def league(self, principal: Principal, date_from: str | None, date_to: str | None) -> dict[str, Any]:
        if not principal.is_officer:
            raise Forbidden("the league table is for officers; see GET /v1/public/stats")
        start, end = self.period(date_from, date_to)
        return {"from": start.isoformat(), "to": end.isoformat(), "agencies": self._league(start, end)}

    def _league(self, start: date, end: date) -> list[dict[str, Any]]:
        config = self.config()
        table = []
        for value, row in self.rows(stats.CITY, "agency", start, end).items():
            agency = config.agency(value)
            name = agency.short_name if agency else UNASSIGNED if value == stats.NONE else value
            table.append({"agency_id": value, "name": name,
                          "sla_compliance": row["sla_compliance"], "sla_clocks": _clocks(row),
                          "backlog": row["backlog"]["total"],
                          "resolved": row["resolved"], "assigned": row["assigned"],
                          "resolution_median_hours": row["resolution_hours"]["median"]})
        # Not (yet) at an agency (the desk's own clocks) is shown, but never ranked above an agency.
        table.sort(key=lambda r: (r["agency_id"] == stats.NONE, r["sla_compliance"] is None,
                                  -(r["sla_compliance"] or 0), r["backlog"], r["agency_id"]))
        for rank, entry in enumerate(table, start=1):
            entry["rank"] = rank
        return table

    def trending(self, principal: Principal, week: str | None) -> dict[str, Any]:
        """Categories and areas rising fastest: received this week (Mon-Sun) against the week before."""
        if not principal.is_officer:
            raise Forbidden("trending topics are for officers")
        day = parse_day(week, "week") if week else self.today() - timedelta(days=7)
        monday = day - timedelta(days=day.weekday())
        result: dict[str, Any] = {"week_start": monday.isoformat(),
                                  "week_end": (monday + timedelta(days=6)).isoformat()}
        for dim in ("category", "area"):
            flow = self.repository.flow(stats.CITY, dim, monday - timedelta(days=7), monday + timedelta(days=6))
            now: Counter[str] = Counter()
            before: Counter[str] = Counter()
            for (cell_day, value), counters in flow.items():
                (now if cell_day >= monday.isoformat() else before)[value] += counters.get("received", 0)
            rising: list[dict[str, Any]] = [{"key": value, "this_week": now[value], "last_week": before[value],
                       "change": now[value] - before[value],
                       "growth": round((now[value] - before[value]) / before[value], 2) if before[value] else None}
                      for value in now if now[value] >= TRENDING_MIN and now[value] > before[value]]
            rising.sort(key=lambda r: (-int(r["change"]), str(r["key"])))
            result[dim] = rising[:10]
        return result

    def public(self, date_from: str | None, date_to: str | None, min_count: int) -> dict[str, Any]:
        """City-wide numbers and agency SLA compliance; counts under `min_count` are suppressed."""
        start, end = self.period(date_from, date_to)
        totals = self._totals(stats.CITY, start, end)

        def count(n: int) -> int | None:
            return n if n >= min_count else None

        def share(value: float | None, basis: int) -> float | None:
            return value if basis >= min_count else None

        agencies = []
        for row in self._league(start, end):
            agencies.append({"agency_id": row["agency_id"], "name": row["name"],
                             "resolved": count(row["resolved"]), "backlog": count(row["backlog"]),
                             "sla_compliance": share(row["sla_compliance"], row["sla_clocks"]),
                             "resolution_median_hours": share(row["resolution_median_hours"], row["resolved"])})
        categories = self.rows(stats.CITY, "category", start, end)
        return {
            "from": start.isoformat(), "to": end.isoformat(), "min_cell_count": min_count,
            "note": f"Angka di bawah {min_count} disembunyikan (null) / counts below {min_count} are hidden (null)",
            "totals": {name: count(totals[name]) for name in stats.FLOW_COUNTERS}
            | {"backlog": count(totals["backlog"]["total"]),
               "sla_compliance": share(totals["sla_compliance"], _clocks(totals)),
               "resolution_median_hours": share(totals["resolution_hours"]["median"],
                                                totals["resolution_hours"]["count"]),
               "rating_average": share(totals["ratings"]["average"], totals["ratings"]["count"])},
            "agencies": agencies,
            "categories": [{"category_id": value, "received": count(row["received"]),
                            "resolved": count(row["resolved"])} for value, row in categories.items()],
        }


def _clocks(row: Mapping[str, Any]) -> int:
    """How many SLA clocks stopped (met or breached): the basis of a compliance figure."""
    return sum(int(stage["met"]) + int(stage["breached"]) for stage in row["sla"].values())


def _keys(events: Sequence[DomainEvent | None]) -> list[str | None]:
    """Each event's dedupe key; None for one not counted, or repeated within the batch."""
    found: list[str | None] = []
    for event in events:
        key = stats.dedupe_key(event) if event is not None and stats.counted_type(event) else None
        found.append(key if key not in found else None)
    return found
