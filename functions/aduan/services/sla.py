"""SLA use cases: the tracker applies lifecycle events to the clocks; the sweeper fires what is due.

Both read the clocks, decide with logic/sla.py and write back conditionally on the clocks' `rev`
(with the ticket head and timeline entries in the same transaction); on a conflict they read again
and decide again, so a lifecycle event is applied once and a reminder, breach, rung or auto-close
fires once, however often or concurrently they run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aduan.dal.sla_store import RevConflict, SlaStore
from aduan.dal.ticket_items import holder_queue_key, ticket_queue_key
from aduan.dal.tickets import TicketRepository
from aduan.logic import access, ids, lifecycle, sla
from aduan.logic.attribution import HANDOVERS
from aduan.logic.clock import from_storage, to_storage
from aduan.logic.errors import Conflict
from aduan.logic.organisation import escalation_recipients
from aduan.logic.status_machine import Action, EventType, Role, Status
from aduan.models.events import DomainEvent, TicketSnapshot
from aduan.models.sla import StageClock, TicketClocks
from aduan.models.sla_config import STAGE_LABELS
from aduan.models.ticket import Actor, ComplaintType, Ticket, TimelineEntry

ATTEMPTS = 5
SLA_ACTOR = Actor(role=Role.SYSTEM, id="sla")
LIFECYCLE_EVENTS = frozenset({EventType.TICKET_CREATED, EventType.TICKET_VERIFIED, EventType.TICKET_ASSIGNED,
                              EventType.TICKET_FORWARDED, EventType.TICKET_STATUS_CHANGED, EventType.TICKET_RESOLVED,
                              EventType.TICKET_CLOSED, EventType.TICKET_REOPENED})
_FIRING_EVENTS = {"reminder": EventType.SLA_REMINDER, "breach": EventType.SLA_BREACHED,
                  "escalation": EventType.SLA_ESCALATED}


# What the sweeper does when the citizen's time is up, by the status the ticket waits in (docs/sla.md).
_AUTO_CLOSE = {
    Status.RESOLVED: (Action.CLOSE, "Ditutup otomatis: tidak ada tanggapan pelapor dalam batas waktu / "
                                    "Closed automatically: no reply from the reporter within the window"),
    Status.NEED_INFO: (Action.CLOSE_INCOMPLETE,
                       "Ditutup karena informasi yang diminta tidak kami terima dalam batas waktu. Silakan kirim "
                       "laporan baru dengan keterangan lengkap. / Closed as incomplete: the information we asked "
                       "for did not arrive in time. Please file a new report with the details."),
}


@dataclass
class SweepResult:
    clocks_read: int = 0
    fired: dict[str, int] = field(default_factory=dict)
    conflicts: int = 0
    unfinished: bool = False
    by_agency: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, agency) -> count


def step_from_event(event: DomainEvent) -> sla.LifecycleStep:
    snapshot = event.snapshot
    return sla.LifecycleStep(
        ticket_version=event.ticket_version,
        occurred_at=from_storage(event.occurred_at),
        from_status=event.from_status,
        to_status=event.to_status,
        agency_id=snapshot.assigned_agency_id,
        category_id=snapshot.category_id,
        priority=snapshot.priority,
        complaint_type=snapshot.complaint_type or ComplaintType.PENGADUAN,
        level=len(snapshot.agency_path) or 1,
        action=event.action,
    )


def _entry(ticket: Ticket | TicketSnapshot, event_type: EventType, moment: datetime, note: str,
           data: dict[str, Any], internal: bool = True, event_id: str | None = None) -> TimelineEntry:
    return TimelineEntry(event_id=event_id or ids.new_id(moment), event_type=event_type,
                         occurred_at=to_storage(moment),
                         ticket_id=ticket.id, tracking_code=ticket.tracking_code, actor=SLA_ACTOR,
                         from_status=ticket.status, to_status=ticket.status, note=note, internal=internal,
                         data=data, ticket_version=ticket.version)


def _clock_data(clock: StageClock, clocks: TicketClocks) -> dict[str, Any]:
    return {"stage": clock.stage.value, "agency_id": clock.agency_id or clocks.agency_id,
            "category_id": clocks.category_id, "due_at": clock.due_at, "policy": clock.policy,
            "cycle": clock.cycle}


def _count_as_applied(clocks: TicketClocks, change: lifecycle.Change, now: datetime) -> None:
    """A breach moves the ticket's version but is no lifecycle step: when the clocks had applied every step up
    to the head the sweeper read, they count the new version as applied too (both are written together, the
    head conditional on its version), so the tracker's next event has no gap to read."""
    if (change.expected_version is not None and clocks.applied_version == change.expected_version
            and not any(entry.event_type in LIFECYCLE_EVENTS for entry in change.entries)):
        clocks.applied_version, clocks.applied_at = change.ticket.version, to_storage(now)


@dataclass
class SlaService:
    store: SlaStore
    tickets: TicketRepository

    # ------------------------------------------------------------------ tracker
    def apply_event(self, event: DomainEvent) -> bool:
        """Apply one lifecycle event, and before it any earlier one not applied yet (events may arrive out
        of order: the gap is read from the ticket's timeline). False when it was already applied.
        The ticket is known from the event's snapshot: its head is not read. A new ticket's first step
        reads nothing (its write is conditional on there being no clocks yet); later steps read the clocks
        eventually consistent (half the units): a stale read fails the `rev` condition and is read again,
        consistently."""
        newest = step_from_event(event)
        code = event.tracking_code
        snapshot, queue = self._holder(event)
        if snapshot is None:
            return False  # the ticket is gone (or never was)
        if sla.clock_free(newest) and self.store.advance(code, newest.ticket_version - 1, newest.ticket_version,
                                                         to_storage(newest.occurred_at), queue):
            return True
        for attempt in range(ATTEMPTS):
            first_step = attempt == 0 and newest.ticket_version == 1
            stored = None if first_step else self.store.clocks(code, consistent=attempt > 0)
            clocks = stored or TicketClocks(ticket_id=event.ticket_id, tracking_code=code)
            if clocks.applied_version >= newest.ticket_version:
                return False
            expected_rev = clocks.rev
            stopped: list[StageClock] = []
            for step in self._steps_between(code, clocks, newest):
                stopped += sla.apply_step(clocks, step, self.store.active_policy(), self.store.policy)
            entries = [self._stop_entry(snapshot, clocks, clock, newest.occurred_at) for clock in stopped]
            try:
                self.store.record(clocks, expected_rev, entries, snapshot, queue)
            except RevConflict:
                continue
            return True
        raise RevConflict(code)

    def _holder(self, event: DomainEvent) -> tuple[TicketSnapshot | None, str]:
        """The ticket as of the event and the queue it waits in, from the event when it says (a snapshot, and
        for a wait on the reporter the status it resumes), else from the stored ticket."""
        snapshot = event.ticket
        resume = event.from_status if event.to_status == Status.NEED_INFO else None
        known_queue = snapshot is not None and (snapshot.status != Status.NEED_INFO
                                                or resume not in (None, Status.NEED_INFO))
        if snapshot is not None and snapshot.id and known_queue:
            return snapshot, holder_queue_key(snapshot.status, snapshot.assigned_agency_id, resume)
        ticket = self.tickets.get(event.tracking_code)
        if ticket is None:
            return None, ""
        return TicketSnapshot.of(ticket), ticket_queue_key(ticket)

    def _stop_entry(self, snapshot: TicketSnapshot, clocks: TicketClocks, clock: StageClock, now: datetime
                    ) -> TimelineEntry:
        policy = self.store.policy(clock.policy)
        minutes = int(sla.elapsed(clock, policy, now).total_seconds() // 60)
        data = {**_clock_data(clock, clocks), "started_at": clock.started_at,
                "stopped_at": clock.stopped_at, "met": bool(clock.met), "elapsed_working_minutes": minutes}
        label_id, label_en = STAGE_LABELS[clock.stage]
        verdict = ("tepat waktu", "on time") if clock.met else ("terlambat", "late")
        moment = from_storage(clock.stopped_at or "")
        # A clock (stage, cycle) stops once: the entry's id says which, so a retried write finds it.
        event_id = ids.derived_id(moment, snapshot.id, clock.stage.value, clock.cycle, "stopped")
        return _entry(snapshot, EventType.SLA_CLOCK_STOPPED, moment,
                      f"Tahap {label_id} selesai {verdict[0]} / {label_en} done {verdict[1]}", data,
                      event_id=event_id)

    def _steps_between(self, code: str, clocks: TicketClocks, newest: sla.LifecycleStep) -> list[sla.LifecycleStep]:
        """The steps to apply: the newest, and the lifecycle steps between it and the last one applied. Other
        changes move the version too (a rating, a breach, a merged duplicate): what happened since the
        applied step is read (entries from its time on), and the whole timeline only when that does not
        show every version of the gap (one at the very moment of either step, or a change that wrote no entry
        of its version)."""
        applied = clocks.applied_version
        if newest.ticket_version == applied + 1:
            return [newest]
        gap = set(range(applied + 1, newest.ticket_version))
        if clocks.applied_at:
            entries = self._entries(lambda cursor: self.tickets.timeline_between(
                code, clocks.applied_at or "", to_storage(newest.occurred_at), cursor))
            if gap <= {entry.ticket_version for entry in entries}:
                return self._steps_of(entries, applied, newest)
        return self._steps_of(self._entries(lambda cursor: self.tickets.timeline(code, 100, cursor)), applied,
                              newest)

    @staticmethod
    def _entries(page: Callable[[str | None], tuple[list[TimelineEntry], str | None]]) -> list[TimelineEntry]:
        found: list[TimelineEntry] = []
        cursor: str | None = None
        while True:
            entries, cursor = page(cursor)
            found += entries
            if cursor is None:
                return found

    @staticmethod
    def _steps_of(entries: list[TimelineEntry], applied: int, newest: sla.LifecycleStep) -> list[sla.LifecycleStep]:
        steps: dict[int, sla.LifecycleStep] = {newest.ticket_version: newest}
        for entry in entries:
            if (entry.event_type in LIFECYCLE_EVENTS and applied < entry.ticket_version < newest.ticket_version
                    and entry.to_status is not None):
                handover = entry.action in HANDOVERS
                agency = entry.data.get("agency_id") if handover else newest.agency_id
                steps[entry.ticket_version] = sla.LifecycleStep(
                    entry.ticket_version, from_storage(entry.occurred_at), entry.from_status, entry.to_status,
                    agency, newest.category_id, newest.priority, newest.complaint_type,
                    int(entry.data.get("level") or 1) if handover else newest.level, entry.action)
        return [steps[version] for version in sorted(steps)]

    # ------------------------------------------------------------------ sweeper
    def sweep(self, now: datetime, has_time: Callable[[], bool] = lambda: True) -> SweepResult:
        """Fire what is due; stops early when `has_time` says so (the next sweep carries on)."""
        result = SweepResult()
        for indexed in self.store.due(to_storage(now)):
            if not has_time():
                result.unfinished = True
                break
            result.clocks_read += 1
            self._fire(indexed, now, result)
        return result

    def _fire(self, indexed: TicketClocks, now: datetime, result: SweepResult) -> None:
        clocks: TicketClocks | None = indexed  # the index is eventually consistent: a conflict re-reads
        for _ in range(ATTEMPTS):
            if clocks is None:
                return
            expected_rev = clocks.rev
            firings = sla.fire_due(clocks, now, self.store.policy)
            if not firings:
                return
            ticket = self.tickets.get(clocks.tracking_code)
            if ticket is None:
                return
            try:
                change = self._consequences(ticket, clocks, firings, now)
                _count_as_applied(clocks, change, now)
                self.store.commit(clocks, expected_rev, change=change, queue=ticket_queue_key(change.ticket))
            except RevConflict:
                result.conflicts += 1
                clocks = self.store.clocks(indexed.tracking_code)
                continue
            for firing in firings:
                result.fired[firing.kind] = result.fired.get(firing.kind, 0) + 1
                agency = firing.clock.agency_id or clocks.agency_id or "desk"
                result.by_agency[(firing.kind, agency)] = result.by_agency.get((firing.kind, agency), 0) + 1
            return

    def _consequences(self, ticket: Ticket, clocks: TicketClocks, firings: list[sla.Firing], now: datetime
                      ) -> lifecycle.Change:
        """The ticket change and timeline entries the firings imply (breach: overdue + priority bump)."""
        entries: list[TimelineEntry] = []
        update: dict[str, Any] = {}
        closing = any(f.kind == "auto_close" for f in firings)
        for firing in firings:
            if firing.kind == "breach":
                policy = self.store.policy(firing.clock.policy)
                update["overdue"] = True
                if policy.priority_bump_on_breach:
                    update["priority"] = sla.BUMPED[update.get("priority", ticket.priority)]
        new_ticket = ticket
        if update and not closing:
            new_ticket = ticket.model_copy(update={**update, **sla.head_fields(clocks), "version": ticket.version + 1,
                                                   "updated_at": to_storage(now)})
        for firing in firings:
            if firing.kind == "auto_close":
                continue
            entries.append(self._firing_entry(new_ticket, clocks, firing, now))
        if closing:
            return self._auto_close(ticket, clocks, entries, now)
        if new_ticket is ticket:
            return lifecycle.Change(ticket, entries, None)
        return lifecycle.Change(new_ticket, entries, ticket.version)

    def _firing_entry(self, ticket: Ticket, clocks: TicketClocks, firing: sla.Firing, now: datetime
                      ) -> TimelineEntry:
        policy = self.store.policy(firing.clock.policy)
        label_id, label_en = STAGE_LABELS[firing.stage]
        data = {**_clock_data(firing.clock, clocks), "rung": firing.rung, "role": firing.role}
        if firing.kind == "reminder":
            note = f"Pengingat: batas waktu {label_id} mendekat / Reminder: {label_en} due soon"
            data["role"] = "agency_officer" if firing.clock.agency_id else "verifier"
        else:
            rung = policy.escalation[firing.rung - 1]
            data["recipients"] = escalation_recipients(rung.recipients, ticket.agency_path, firing.clock.agency_id)
            breach = firing.kind == "breach"
            verb = ("Batas waktu terlewati", "deadline missed") if breach else ("Eskalasi", "escalated")
            note = (f"{verb[0]}: {label_id}, diteruskan ke {rung.label_id} / "
                    f"{label_en} {verb[1]}, raised to {rung.label_en}")
        return _entry(ticket, _FIRING_EVENTS[firing.kind], now, note, data,
                      internal=firing.kind != "breach")

    def _auto_close(self, ticket: Ticket, clocks: TicketClocks, entries: list[TimelineEntry], now: datetime
                    ) -> lifecycle.Change:
        closing = _AUTO_CLOSE.get(ticket.status)
        if closing is None:
            # Reopened, answered or closed meanwhile: the tracker stops this clock when that event arrives.
            return lifecycle.Change(ticket, entries, None)
        command = lifecycle.Command(closing[0], ticket.version, note=closing[1])
        policy = lifecycle.Policy(reopen_window_days=0)
        try:
            change = lifecycle.apply(ticket, command, access.SYSTEM, policy, now)
        except Conflict:
            return lifecycle.Change(ticket, entries, None)
        closed = change.ticket.model_copy(update=sla.head_fields(clocks))
        return lifecycle.Change(closed, [*change.entries, *entries], change.expected_version)
