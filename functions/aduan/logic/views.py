"""Shape stored records into what a given caller may see (anonymity, internal notes, actions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aduan.logic import access, sla
from aduan.logic.access import Principal
from aduan.logic.clock import for_display, from_storage
from aduan.logic.masking import agency_text
from aduan.logic.status_machine import LABELS, Role, actions_available
from aduan.models.api import (
    AttachmentView,
    ComplaintView,
    LocationView,
    RatingView,
    ReporterView,
    SlaStatusView,
    StatusLabel,
    TimelineEntryView,
)
from aduan.models.sla import TicketClocks
from aduan.models.sla_config import STAGE_LABELS
from aduan.models.ticket import Attachment, Ticket, TimelineEntry


def complaint(ticket: Ticket, principal: Principal, zone: str,
              attachments: list[AttachmentView] | None = None) -> ComplaintView:
    label_id, label_en = LABELS[ticket.status]
    reporter = ReporterView(**ticket.reporter.model_dump()) if access.sees_reporter(principal, ticket) else None
    roles = access.acting_roles(principal, ticket)
    return ComplaintView(
        id=ticket.id,
        tracking_code=ticket.tracking_code,
        title=agency_text(principal, ticket, ticket.title) or ticket.title,
        text=agency_text(principal, ticket, ticket.text) or ticket.text,
        category_id=ticket.category_id,
        location=LocationView(**ticket.location.model_dump()) if ticket.location else None,
        channel=ticket.channel.value,
        status=ticket.status.value,
        status_label=StatusLabel(id=label_id, en=label_en),
        priority=ticket.priority.value,
        assigned_agency_id=ticket.assigned_agency_id,
        anonymous=ticket.anonymous,
        confidential=ticket.confidential,
        reporter=reporter,
        duplicate_of=ticket.duplicate_of,
        rejection_reason=ticket.rejection_reason,
        resolution=ticket.resolution,
        rating=RatingView(score=ticket.rating.score, comment=ticket.rating.comment,
                          given_at=for_display(ticket.rating.given_at, zone)) if ticket.rating else None,
        reopen_count=ticket.reopen_count,
        created_at=for_display(ticket.created_at, zone),
        updated_at=for_display(ticket.updated_at, zone),
        status_since=for_display(ticket.status_since, zone),
        resolved_at=for_display(ticket.resolved_at, zone),
        closed_at=for_display(ticket.closed_at, zone),
        version=ticket.version,
        attachments=attachments or [],
        expected_datetime=for_display(ticket.expected_datetime, zone),
        overdue=ticket.overdue,
        next_due_at=for_display(ticket.sla_due_at, zone),
        allowed_actions=[action.value for action in actions_available(ticket.status, roles)],
        duplicate_count=ticket.duplicate_count,
        suggestion=ticket.suggestion if principal.is_officer else None,
        duplicate_candidates=ticket.duplicate_candidates if principal.is_officer else [],
    )


def sla_status(clocks_document: dict[str, Any] | None, zone: str, now: datetime) -> SlaStatusView | None:
    """The open stage whose deadline comes first (the stored `#SLA` item), with the time left."""
    if not clocks_document:
        return None
    open_clocks = sla.open_clocks(TicketClocks.model_validate(clocks_document))
    if not open_clocks:
        return None
    current = open_clocks[0]
    label_id, label_en = STAGE_LABELS[current.stage]
    return SlaStatusView(
        stage=current.stage.value, stage_label=StatusLabel(id=label_id, en=label_en), state=current.state.value,
        due_at=for_display(current.due_at, zone) or current.due_at,
        time_left_seconds=int((from_storage(current.due_at) - now).total_seconds()),
        overdue=current.breached_at is not None, policy=current.policy,
    )


def attachment(record: Attachment, zone: str, download_url: str | None) -> AttachmentView:
    return AttachmentView(id=record.id, filename=record.filename, content_type=record.content_type,
                          created_at=for_display(record.created_at, zone), download_url=download_url)


# Channel identities a timeline entry may carry (entries written before they were kept out, or by a
# future writer): only the desk and supervisors, who may see any reporter, read them.
IDENTITY_KEYS = frozenset({"follower_ref", "reporter_ref", "sender_ref", "sender", "recipient_ref"})


def entry_data(data: dict[str, Any], principal: Principal) -> dict[str, Any]:
    """What of an entry's data the caller may read: nothing for citizens, no identities for agencies."""
    if not principal.is_officer:
        return {}
    if principal.sees_everything:
        return data
    return {key: value for key, value in data.items() if key not in IDENTITY_KEYS}


def timeline(entries: list[TimelineEntry], ticket: Ticket, principal: Principal, zone: str
             ) -> list[TimelineEntryView]:
    officer = principal.is_officer
    hide_reporter = not access.sees_reporter(principal, ticket)
    views = []
    for entry in entries:
        if entry.internal and not officer:
            continue
        actor_id: str | None = entry.actor.id
        if not officer and entry.actor.role != Role.CITIZEN:
            actor_id = None  # citizens see which desk acted, not which officer
        if hide_reporter and entry.actor.role == Role.CITIZEN:
            actor_id = None
        views.append(TimelineEntryView(
            event_id=entry.event_id,
            type=entry.event_type.value,
            at=for_display(entry.occurred_at, zone),
            actor_role=entry.actor.role.value,
            actor_id=actor_id,
            from_status=entry.from_status.value if entry.from_status else None,
            to_status=entry.to_status.value if entry.to_status else None,
            action=entry.action,
            note=agency_text(principal, ticket, entry.note),
            internal=entry.internal,
            data=entry_data(entry.data, principal),
        ))
    return views
