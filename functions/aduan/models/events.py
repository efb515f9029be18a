"""The domain event: one timeline entry with the ticket as it was at that moment.

It is written once, by the ticket writer (dal/tickets.py: the timeline entry is the outbox record), published
by the event relay (logic/domain_events.py, from the stored record) and read back by every consumer (routing,
SLA tracker, statistics, notifier, the statistics rebuild) through one function, `read_event`, which takes
any of the three forms it travels in: the stored record, the bus detail, and the EventBridge envelope.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from aduan.logic.domain_events import SLA_FIELDS, is_sla, source_of
from aduan.logic.status_machine import Status
from aduan.models.ticket import Actor, ComplaintType, Priority, StepFacts, Ticket


class TicketSnapshot(BaseModel):
    """What consumers of an event need to know about the ticket at that moment."""

    model_config = ConfigDict(extra="ignore")
    id: str = ""
    tracking_code: str = ""
    status: Status = Status.RECEIVED
    category_id: str | None = None
    assigned_agency_id: str | None = None
    agency_path: list[str] = Field(default_factory=list)
    complaint_type: ComplaintType | None = None  # None: not known (recorded before complaint types)
    priority: Priority = Priority.NORMAL
    channel: str | None = None
    area_code: str | None = None
    anonymous: bool = False
    confidential: bool = False
    reporter_ref: str | None = None
    created_at: str | None = None
    version: int = 0

    @classmethod
    def of(cls, ticket: Ticket) -> TicketSnapshot:
        return cls(id=ticket.id, tracking_code=ticket.tracking_code, status=ticket.status,
                   category_id=ticket.category_id, assigned_agency_id=ticket.assigned_agency_id,
                   agency_path=list(ticket.agency_path), complaint_type=ticket.complaint_type,
                   priority=ticket.priority, channel=ticket.channel.value,
                   area_code=ticket.location.area_code if ticket.location else None,
                   anonymous=ticket.anonymous, confidential=ticket.confidential,
                   reporter_ref=ticket.reporter.ref, created_at=ticket.created_at, version=ticket.version)


class DomainEvent(StepFacts):
    """A ticket event as every consumer reads it. Lenient where senders differ: moto's EventBridge delivery
    lacks `account`, tests and other sources may leave out the id or the snapshot (the defaults say "unknown")."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    source: str = ""
    envelope_id: str = ""  # the EventBridge envelope's id (events without an id of their own dedupe on it)
    event_id: str = ""
    event_type: str = ""
    occurred_at: str = ""
    ticket_id: str = ""
    tracking_code: str = ""
    actor: Actor | None = None
    ticket_version: int = 0
    ticket: TicketSnapshot | None = Field(default=None, validation_alias=AliasChoices("ticket", "ticket_snapshot"))
    # SLA events: the clock concerned (from the entry's `data` when not at the top of the detail)
    stage: str | None = None
    agency_id: str | None = None
    category_id: str | None = None
    due_at: str | None = None
    rung: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _fill(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        filled = dict(value)
        data = dict(filled.get("data") or {})
        if is_sla(str(filled.get("event_type") or "")):
            if "sk" not in filled:  # a bus detail: it carries the entry's data at the top (logic/domain_events.py)
                data.update({name: item for name, item in filled.items()
                             if name not in cls.model_fields and name not in data})
            for name in SLA_FIELDS:
                if filled.get(name) is None and data.get(name) is not None:
                    filled[name] = data[name]
            filled["data"] = data
        snapshot = filled.get("ticket") or filled.get("ticket_snapshot") or {}
        if not filled.get("tracking_code") and snapshot.get("tracking_code"):
            filled["tracking_code"] = snapshot["tracking_code"]
        if not filled.get("ticket_id") and snapshot.get("id"):
            filled["ticket_id"] = snapshot["id"]
        if not filled.get("source") and filled.get("event_type"):
            filled["source"] = source_of(str(filled["event_type"]))
        return filled

    @property
    def is_sla(self) -> bool:
        return is_sla(self.event_type)

    @property
    def actor_role(self) -> str | None:
        return self.actor.role.value if self.actor else None

    @property
    def cause_id(self) -> str:
        """The event's id; for an event without one, an id derived from what makes it unique."""
        if self.event_id:
            return self.event_id
        parts = [self.event_type, self.tracking_code,
                 *(str(value) for value in (self.stage, self.rung, self.due_at, self.data.get("parent_tracking_code")))]
        return "evt_" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:26]

    @property
    def snapshot(self) -> TicketSnapshot:
        return self.ticket or TicketSnapshot(id=self.ticket_id, tracking_code=self.tracking_code)


def read_event(message: str | Mapping[str, Any]) -> DomainEvent | None:
    """THE way to read a domain event: from an EventBridge envelope (as a queue delivers it, JSON or parsed),
    from its bare detail, or from the stored timeline record. None when it is not about a ticket."""
    body: Mapping[str, Any] = json.loads(message) if isinstance(message, str) else message
    detail = body.get("detail")
    if isinstance(detail, Mapping):  # an envelope: the type, source and id are on it
        fields = {**detail, "envelope_id": str(body.get("id") or "")}
        if body.get("detail-type"):
            fields["event_type"] = body["detail-type"]
        if body.get("source"):
            fields["source"] = body["source"]
    else:
        fields = dict(body)
    event = DomainEvent.model_validate(fields)
    return event if event.tracking_code else None
