"""Forwarding outside the city government, the messages: a forward by webhook or to SP4N-LAPOR!, and
the updates a LAPOR! report hears about. Pure (the notifier calls it; the senders send what it builds).
The signature scheme both ways is logic/forwarding.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aduan.logic.masking import mask_contacts
from aduan.models.config import Agency, CityConfig
from aduan.models.events import DomainEvent
from aduan.models.lapor import LaporSettings
from aduan.models.outbound import OutboundMessage, message_id
from aduan.models.ticket import Channel, Ticket

if TYPE_CHECKING:
    from aduan.models.events import DomainEvent

# Aduan's statuses in LAPOR!'s words (its admin manual: verifikasi, disposisi, tindak lanjut, selesai,
# tunda, bukan wewenang, arsip). Unknown statuses are reported as follow-up rather than dropped.
_STATUS = {"received": "verifikasi", "verified": "verifikasi", "returned": "verifikasi", "reopened": "verifikasi",
           "assigned": "disposisi", "accepted": "disposisi", "forwarded": "disposisi",
           "on_hold": "tunda", "resolved": "selesai", "closed": "selesai",
           "rejected": "arsip", "duplicate": "arsip", "not_our_authority": "bukan_wewenang"}


def lapor_status(aduan_status: str | None) -> str:
    return _STATUS.get(aduan_status or "", "tindak_lanjut")


def forward_document(event: DomainEvent, ticket: Ticket, agency: Agency, city: CityConfig) -> dict[str, Any]:
    """What a body receives about a complaint forwarded to it: the matter, never who reported it
    (contacts typed into the text are masked too)."""
    forward = agency.forward
    location = ticket.location
    category = city.category(ticket.category_id or "")
    return {
        "event": "complaint.forwarded", "id": event.cause_id, "tracking_code": ticket.tracking_code,
        "from": {"city_code": city.settings.city_code, "city_name": city.settings.city_name},
        "to": {"agency_id": agency.id, "name": agency.name},
        "request": event.note, "answer_days": forward.answer_days if forward else None,
        "answer_callback": (f"/v1/external/{agency.id}/answers" if forward and forward.signed_callback else None),
        "complaint": {
            "title": mask_contacts(ticket.title), "text": mask_contacts(ticket.text),
            "complaint_type": ticket.complaint_type.value, "submitted_at": ticket.created_at,
            "category": {"id": category.id, "name_id": category.name_id, "name_en": category.name_en}
            if category else None,
            "location": {"lat": location.lat, "lon": location.lon, "area_code": location.area_code,
                         "address": mask_contacts(location.address) if location.address else None}
            if location else None,
        },
    }


def forward_message(event: DomainEvent, ticket: Ticket, agency: Agency, city: CityConfig) -> OutboundMessage | None:
    """The forward itself when the body is reached by webhook or through LAPOR! (email forwards are
    rendered from the officer template like any other mail)."""
    forward = agency.forward
    if forward is None or forward.channel == "email":
        return None
    document = forward_document(event, ticket, agency, city)
    text = f"Penerusan aduan {ticket.tracking_code} ke {agency.short_name} / forwarded to {agency.short_name}"
    if forward.channel == "webhook":
        channel, recipient = Channel.WEBHOOK, agency.id
        data: dict[str, Any] = {"url": forward.url, "secret": forward.secret, "timeout": forward.timeout_seconds,
                                "payload": document}
    else:
        settings = city.settings.lapor
        if settings is None or not settings.enabled:
            return None  # not reachable; a config naming such a body is refused at load (models/config.py)
        channel, recipient = Channel.LAPOR, f"aduan:{ticket.tracking_code}"
        complaint = document["complaint"]
        data = lapor_data(settings, "submit", recipient, {
            "external_ref": ticket.tracking_code, "title": complaint["title"], "text": complaint["text"],
            "type": complaint["complaint_type"], "location": complaint["location"], "request": event.note,
            "answer_days": forward.answer_days})
    return OutboundMessage(
        id=message_id(event.cause_id, recipient, channel), cause_id=event.cause_id, kind="external_forward",
        channel=channel, recipient=recipient, audience="officer", text=text, subject=text, ticket_id=ticket.id,
        tracking_code=ticket.tracking_code, ticket_version=ticket.version, caused_at=event.occurred_at or None,
        data={"event_type": event.event_type, **data})


def lapor_forward_update(event: DomainEvent, ticket: Ticket, city: CityConfig) -> OutboundMessage | None:
    """After a complaint was submitted to LAPOR!, LAPOR! hears where it went: the desk took it back
    (the reason as note), recorded the answer, closed it. None for anything else."""
    settings = city.settings.lapor
    if settings is None or not settings.enabled or event.internal or not event.to_status \
            or event.event_type == "TicketForwarded":
        return None
    holders = (ticket.assigned_agency_id, event.data.get("previous_agency_id"))  # now, and before a take-back
    involved = [city.agency(str(holder)) for holder in holders if holder]
    body = next((a for a in involved if a and a.forward and a.forward.channel == "lapor"), None)
    if body is None:
        return None
    report = f"aduan:{ticket.tracking_code}"
    taken_back = body.id != ticket.assigned_agency_id
    note = (f"Ditarik kembali oleh {city.settings.city_name} / taken back: {event.data.get('reason') or '-'}"
            if taken_back else f"Status {ticket.tracking_code}: {event.to_status}")
    data = lapor_data(settings, "status", report, {
        "status": "ditarik" if taken_back else lapor_status(event.to_status), "aduan_status": event.to_status,
        "note": note, "tracking_code": ticket.tracking_code, "occurred_at": ticket.updated_at})
    return OutboundMessage(
        id=message_id(event.cause_id, report, Channel.LAPOR), cause_id=event.cause_id, kind="external_update",
        channel=Channel.LAPOR, recipient=report, audience="officer", text=note, subject=note,
        ticket_id=ticket.id, tracking_code=ticket.tracking_code, ticket_version=ticket.version,
        caused_at=event.occurred_at or None, data={"event_type": event.event_type, **data})


def lapor_data(settings: LaporSettings, operation: str, report: str, document: dict[str, Any]) -> dict[str, Any]:
    return {"secret": settings.token_secret,
            "lapor": {"operation": operation, "report": report, "document": document,
                      "base_url": settings.base_url, "timeout": settings.timeout_seconds}}


def lapor_update(message: OutboundMessage, event: DomainEvent, ticket: Ticket, settings: LaporSettings,
                 occurred_at: str) -> OutboundMessage:
    """A citizen's message for a report that came from LAPOR! becomes a push to it: the answer when the
    complaint is resolved, otherwise its status with the message the citizen would have read."""
    status = event.to_status or ticket.status.value
    if event.event_type == "TicketResolved" and ticket.resolution:
        data = lapor_data(settings, "answer", message.recipient, {
            "answer": ticket.resolution, "tracking_code": ticket.tracking_code, "occurred_at": occurred_at})
    else:
        data = lapor_data(settings, "status", message.recipient, {
            "status": lapor_status(status), "aduan_status": status, "note": message.text,
            "tracking_code": ticket.tracking_code, "occurred_at": occurred_at})
    return message.model_copy(update={"data": {**message.data, **data, "fallbacks": []}})
