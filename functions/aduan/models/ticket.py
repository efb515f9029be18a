"""The complaint (ticket) aggregate and its immutable timeline entries, as stored."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field, PrivateAttr

from aduan.logic.status_machine import EventType, Role, Status
from aduan.models.base import Model


class Channel(StrEnum):
    WEB = "web"
    APP = "app"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    SMS = "sms"
    EMAIL = "email"
    INSTAGRAM = "instagram"
    MESSENGER = "messenger"
    X = "x"
    LAPOR = "lapor"
    DESK = "desk"
    PHONE = "phone"
    OPEN311 = "open311"
    RADIO = "radio"
    NEWSPAPER = "newspaper"
    # Outbound only: a body outside the city government reached by a signed HTTPS POST (forwarding).
    WEBHOOK = "webhook"


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class ComplaintType(StrEnum):
    """LAPOR!'s three kinds of report, each with its own deadlines (SLA overrides) and statistics."""

    PENGADUAN = "pengaduan"
    ASPIRASI = "aspirasi"
    PERMINTAAN_INFORMASI = "permintaan_informasi"


COMPLAINT_TYPE_LABELS: dict[ComplaintType, tuple[str, str]] = {
    ComplaintType.PENGADUAN: ("Pengaduan", "Complaint"),
    ComplaintType.ASPIRASI: ("Aspirasi", "Aspiration"),
    ComplaintType.PERMINTAAN_INFORMASI: ("Permintaan informasi", "Information request"),
}


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class Location(Model):
    model_config = ConfigDict(extra="forbid")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    address: str | None = Field(default=None, max_length=500)
    area_code: str | None = Field(default=None, max_length=20)


class Reporter(Model):
    """Who filed it. `ref` is the stable identity (Cognito sub or channel contact id)."""

    model_config = ConfigDict(extra="forbid")
    ref: str
    name: str | None = None
    contact: str | None = None


class Rating(Model):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)
    given_at: str


class Suggestion(Model):
    """What triage suggests for a new complaint, and why (issue 4: docs/routing.md)."""

    category_id: str | None = None
    category_source: str = "none"  # "citizen" (kept as given), "classifier", or "none"
    matched_keywords: list[str] = Field(default_factory=list)
    score: float = 0.0
    confidence: float = 0.0
    area_code: str | None = None
    area_name: str | None = None
    area_method: str | None = None  # "citizen", "point", "address", "text" (named in the message), or None
    agency_id: str
    rule_id: str
    reason: str
    auto_assign: bool = False
    priority: Priority = Priority.NORMAL
    priority_reasons: list[str] = Field(default_factory=list)
    excluded_agency_ids: list[str] = Field(default_factory=list)
    # The point lies outside the city ("di luar wilayah"): not our authority, with the neighbour if known.
    outside_city: bool = False
    outside_note: str | None = None
    cause_event_id: str
    routed_at: str


class DuplicateCandidate(Model):
    tracking_code: str
    title: str
    status: Status
    distance_m: float
    similarity: float
    created_at: str


class Ticket(Model):
    model_config = ConfigDict(extra="ignore")
    id: str
    tracking_code: str
    title: str
    text: str
    category_id: str | None = None
    location: Location | None = None
    channel: Channel
    reporter: Reporter
    anonymous: bool = False
    confidential: bool = False
    status: Status = Status.RECEIVED
    priority: Priority = Priority.NORMAL
    assigned_agency_id: str | None = None
    # The holder and every agency above it, top first (["kec-tembalang", "kel-tembalang"]): the parents
    # keep read access and oversight while a sub-unit works it (docs/organisation.md).
    agency_path: list[str] = Field(default_factory=list)
    complaint_type: ComplaintType = ComplaintType.PENGADUAN
    answer_draft: str | None = None  # the agency's answer while the desk reviews it (citizens never see it)
    resume_status: Status | None = None
    duplicate_of: str | None = None
    rejection_reason: str | None = None
    resolution: str | None = None
    rating: Rating | None = None
    reopen_count: int = 0
    returned_by: list[str] = Field(default_factory=list)
    suggestion: Suggestion | None = None
    duplicate_candidates: list[DuplicateCandidate] = Field(default_factory=list)
    duplicate_count: int = 0  # "also reported by N": children merged into this one
    follower_refs: list[str] = Field(default_factory=list)  # reporter refs of merged children
    created_at: str
    updated_at: str
    status_since: str
    resolved_at: str | None = None
    closed_at: str | None = None
    version: int = 1
    # Kept by the SLA engine: Open311's expected_datetime (resolution due, UTC), whether a stage
    # deadline has passed, and the due time of the earliest open stage (queues sort on it).
    expected_datetime: str | None = None
    overdue: bool = False
    sla_due_at: str | None = None
    # The bulky fields as they were read from the `#BODY` and `#OUTCOME` items (dal/tickets.py): a change
    # that leaves an item's fields as they were does not write it again. Copies keep it; a ticket not read
    # has none.
    _stored_body: str | None = PrivateAttr(default=None)
    # A new head's own timeline entries stored inline on it (dal/ticket_items.py `PENDING`), as read: the
    # next change of the head writes them out.
    _pending_events: str | None = PrivateAttr(default=None)


class Actor(Model):
    role: Role
    id: str


class StepFacts(Model):
    """What a step in a ticket's life says happened, besides what, when, to which ticket and by whom
    (shared by the stored timeline entry and the domain event its consumers read, models/events.py)."""

    from_status: Status | None = None
    to_status: Status | None = None
    action: str | None = None
    note: str | None = None
    internal: bool = False
    data: dict[str, Any] = Field(default_factory=dict)


class TimelineEntry(StepFacts):
    """One immutable step in a ticket's life; also the outbox record of its domain event."""

    event_id: str
    event_type: EventType
    occurred_at: str
    ticket_id: str
    tracking_code: str
    actor: Actor
    ticket_version: int


class Attachment(Model):
    id: str
    ticket_id: str
    tracking_code: str
    key: str
    filename: str
    content_type: str
    max_bytes: int
    uploaded_by: Actor
    created_at: str
    public: bool = False


@dataclass(frozen=True)
class Change:
    """What one step stores (dal/tickets.py `save`): the head and new timeline entries of one ticket."""

    ticket: Ticket
    entries: list[TimelineEntry]
    # The stored version the head replaces; None: the head is not rewritten (only entries are added)...
    expected_version: int | None
    new: bool = False  # ...unless the ticket is new: its head is put only if the tracking code is free
