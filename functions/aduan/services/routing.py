"""Triage of a new (or returned) complaint: suggest category, area, agency and priority, find likely
duplicates, record all of it with its reasons, and assign on its own only where a rule allows it.

Runs from the routing worker for each `TicketCreated`, and again when an agency answers
`not_our_authority`. Safe to run twice for the same event: the suggestion remembers its cause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from aduan.dal.tickets import TicketRepository
from aduan.logic import clock, duplicates, lifecycle, triage
from aduan.logic.access import SYSTEM
from aduan.logic.errors import Conflict
from aduan.logic.geo import covering_cells
from aduan.logic.status_machine import Action, EventType, Role, Status
from aduan.models.config import CityConfig
from aduan.models.ticket import Actor, DuplicateCandidate, Suggestion, Ticket
from aduan.observability import logger

ATTEMPTS = 3
# Statuses in which a suggestion still helps someone decide.
_ROUTABLE = frozenset({Status.RECEIVED, Status.VERIFIED, Status.ON_HOLD, Status.RETURNED, Status.NEED_INFO})


@dataclass(frozen=True)
class Outcome:
    tracking_code: str
    suggestion: Suggestion | None
    assigned: bool = False
    skipped: str | None = None


@dataclass
class RoutingService:
    repository: TicketRepository
    config: Callable[[], CityConfig]

    def route(self, tracking_code: str, cause_event_id: str, *, rerouting: bool = False, version: int = 0
              ) -> Outcome:
        """`version`: the ticket's version in the cause event: the first read is eventually consistent
        (half the price) unless it lags behind that version; a retry after a conflict reads consistently."""
        for attempt in range(ATTEMPTS):
            ticket = (self.repository.get_as_of(tracking_code, version) if version and not attempt
                      else self.repository.get(tracking_code))
            if ticket is None:
                # The event comes from the ticket's own transaction, so this is a config or data error.
                raise LookupError(f"no ticket {tracking_code} for event {cause_event_id}")
            if ticket.suggestion and ticket.suggestion.cause_event_id == cause_event_id:
                return Outcome(tracking_code, ticket.suggestion, skipped="already routed for this event")
            if ticket.status not in _ROUTABLE or (rerouting and ticket.status != Status.RETURNED):
                return Outcome(tracking_code, None, skipped=f"{ticket.status.value}: nothing to route")
            try:
                return self._route_once(ticket, cause_event_id)
            except Conflict:
                logger.info("ticket changed while routing; trying again", extra={"tracking_code": tracking_code})
        raise Conflict(f"{tracking_code} kept changing while it was being routed", code="version_conflict")

    def _route_once(self, ticket: Ticket, cause_event_id: str) -> Outcome:
        config, moment = self.config(), clock.now()
        suggestion = triage.suggest(config, ticket, cause_event_id, clock.to_storage(moment),
                                    excluded=set(ticket.returned_by))
        candidates = self.find_duplicates(config, ticket, suggestion.category_id, moment)
        update = {"suggestion": suggestion, "duplicate_candidates": candidates,
                  "priority": triage.routed_priority(ticket, suggestion.priority)}
        if ticket.location and not ticket.location.area_code and suggestion.area_code:
            update["location"] = ticket.location.model_copy(update={"area_code": suggestion.area_code})
        data = {**suggestion.model_dump(mode="json", exclude={"cause_event_id", "routed_at"}),
                "duplicate_candidates": [candidate.tracking_code for candidate in candidates]}
        change = lifecycle.annotate(ticket, update, EventType.TICKET_ROUTED, Actor(role=Role.SYSTEM, id="triage"),
                                    moment, data, note=suggestion.reason)
        self.repository.save(change)
        if not (suggestion.auto_assign and ticket.status == Status.RECEIVED and not candidates):
            return Outcome(ticket.tracking_code, suggestion)
        command = lifecycle.Command(Action.ASSIGN, change.ticket.version, agency_id=suggestion.agency_id,
                                    note=f"auto-assign: {suggestion.reason} (rule {suggestion.rule_id})")
        assigned = lifecycle.apply(change.ticket, command, SYSTEM, lifecycle.Policy.of(config), moment)
        try:
            self.repository.save(assigned)
        except Conflict:
            # The desk acted in between: its decision stands, the suggestion is recorded.
            return Outcome(ticket.tracking_code, suggestion)
        return Outcome(ticket.tracking_code, suggestion, assigned=True)

    def find_duplicates(self, config: CityConfig, ticket: Ticket, category_id: str | None,
                        moment: datetime) -> list[DuplicateCandidate]:
        where = ticket.location
        if not category_id or where is None or where.lat is None or where.lon is None:
            return []
        policy = config.routing.duplicates
        since = clock.to_storage(moment - timedelta(days=policy.lookback_days))
        nearby = self.repository.in_cells(category_id, covering_cells(where.lat, where.lon, policy.radius_m), since)
        return duplicates.candidates(ticket, nearby, policy, moment, config.routing.classifier.synonyms)
