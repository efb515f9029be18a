"""From an event to the messages it causes: pick recipients, fill the template's variables, render.

Pure. Each message id is `message_id(cause, recipient address, channel)`, so an event delivered twice
yields the same messages and the sender sends each once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aduan.logic.masking import mask_contacts
from aduan.logic.recipients import Facts, Recipient, select
from aduan.logic.status_machine import LABELS, Status
from aduan.models.config import CityConfig
from aduan.models.contact import Language
from aduan.models.events import DomainEvent
from aduan.models.outbound import OutboundMessage, message_id
from aduan.models.templates import NotificationConfig
from aduan.models.ticket import Ticket

ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
MONTHS = {"id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
          "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}
WORDS = {"id": {"anonymous": "Anonim", "none": "-", "no_due": "belum ditetapkan", "desk": "Meja verifikasi"},
         "en": {"anonymous": "Anonymous", "none": "-", "no_due": "not set yet", "desk": "Verification desk"}}
STAGES = {"id": {"verification": "verifikasi", "disposition": "disposisi", "first_response": "tanggapan pertama",
                 "resolution": "penyelesaian", "citizen_reply": "jawaban pelapor"},
          "en": {"verification": "verification", "disposition": "disposition", "first_response": "first response",
                 "resolution": "resolution", "citizen_reply": "reporter's reply"}}
MAX_TEXT = 4096


def format_due(stored: str | None, zone: str, language: Language) -> str:
    """A UTC timestamp as the city reads it, e.g. '24 Nov 2026 15:00 WIB'."""
    if not stored:
        return WORDS[language]["no_due"]
    moment = datetime.fromisoformat(stored.replace("Z", "+00:00"))
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(ZoneInfo(zone))
    suffix = ZONE_NAMES.get(zone) or local.strftime("UTC%z")
    return f"{local.day} {MONTHS[language][local.month - 1]} {local.year} {local:%H:%M} {suffix}"


def status_words(status: str | None, language: Language) -> str:
    if status is None or status not in Status._value2member_map_:
        return WORDS[language]["none"]
    label_id, label_en = LABELS[Status(status)]
    return label_en if language == "en" else label_id


def variables(event: DomainEvent, ticket: Ticket, city: CityConfig,
              config: NotificationConfig, recipient: Recipient) -> dict[str, str]:
    language = recipient.language
    zone = city.settings.timezone
    agency = city.agency(event.agency_id or ticket.assigned_agency_id or "")
    category = city.category(ticket.category_id or "")
    none = WORDS[language]["none"]
    values = {
        "tracking_code": ticket.tracking_code,
        "title": ticket.title,
        "status": status_words(event.to_status or ticket.status.value, language),
        "category": category.name(language) if category else none,
        # Not yet with an agency means with the verification desk (a verification-stage breach names it).
        "agency": agency.short_name if agency else WORDS[language]["desk"],
        "due": format_due(event.due_at or ticket.expected_datetime, zone, language),
        "response": ticket.resolution or event.note or none,
        "note": event.note or none,
        "link": f"{config.settings.link_base_url.rstrip('/')}/{ticket.tracking_code}",
        "parent_code": ticket.duplicate_of or str(event.data.get("duplicate_of") or none),
        "city": city.settings.city_name,
        "stage": STAGES[language].get(event.stage or "", event.stage or none),
    }
    if recipient.audience != "citizen":
        # The agency side never learns who an anonymous reporter is; no contact details ever.
        values["reporter"] = (WORDS[language]["anonymous"] if ticket.anonymous
                              else ticket.reporter.name or none)
        values["address"] = (ticket.location.address if ticket.location and ticket.location.address else none)
        values["score"] = str(event.data.get("score") or (ticket.rating.score if ticket.rating else none))
        if ticket.anonymous and recipient.audience == "officer":
            # What an anonymous reporter typed may hold their phone, e-mail or NIK: not for the agency.
            for name in ("title", "response", "note", "address"):
                values[name] = mask_contacts(values[name])
    return values


def messages(event: DomainEvent, ticket: Ticket, facts: Facts, city: CityConfig,
             config: NotificationConfig) -> list[OutboundMessage]:
    templates = {audience: config.find(event.event_type, event.to_status, audience)
                 for audience in ("citizen", "officer", "supervisor")}
    audiences = frozenset(audience for audience, template in templates.items() if template is not None)
    built = []
    for recipient in select(facts, audiences):  # type: ignore[arg-type]
        template = templates[recipient.audience]
        assert template is not None
        values = variables(event, ticket, city, config, recipient)
        subject, text = template.render(recipient.language, values)
        address = recipient.address
        data: dict[str, Any] = {"event_type": event.event_type}
        if recipient.audience == "citizen":
            data["fallbacks"] = [{"channel": a.channel.value, "address": a.address, "contact_id": a.contact_id}
                                 for a in recipient.fallbacks]
            data["template_values"] = {name: values[name] for name in config.settings.whatsapp_template.parameters}
            data["follower"] = recipient.follower
        built.append(OutboundMessage(
            id=message_id(event.cause_id, address.address, address.channel),
            cause_id=event.cause_id, kind=event.event_type, channel=address.channel, recipient=address.address,
            contact_id=address.contact_id, audience=recipient.audience, language=recipient.language,
            text=text[:MAX_TEXT], subject=subject[:200], ticket_id=ticket.id, tracking_code=ticket.tracking_code,
            ticket_version=ticket.version, caused_at=event.occurred_at or None, data=data,
        ))
    return built
