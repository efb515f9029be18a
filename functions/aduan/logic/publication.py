"""The public rules, pure: which complaints are published and what of them anyone may see.

- confidential complaints are never published; others are listed once the desk verified them;
- the reporter's identity never appears: no reporter field, and names, phone numbers, e-mail
  addresses and NIK-like numbers are masked in the text;
- anonymous complaints lose their street address and have their coordinates rounded;
- photos appear only when an officer marked them public.
"""

from __future__ import annotations

from aduan.logic.clock import for_display
from aduan.logic.masking import mask_contacts, mask_names
from aduan.logic.status_machine import LABELS, Status
from aduan.models.api import StatusLabel
from aduan.models.public import PublicComplaint, PublicLocation, PublicPhoto
from aduan.models.ticket import Attachment, Ticket

# Statuses a complaint reaches only through the desk's verification.
VERIFIED_STATUSES = frozenset({Status.VERIFIED, Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS,
                               Status.RETURNED, Status.RESOLVED, Status.REOPENED, Status.CLOSED})


def verified(ticket: Ticket) -> bool:
    return ticket.status in VERIFIED_STATUSES or (
        ticket.status == Status.NEED_INFO and ticket.resume_status in VERIFIED_STATUSES)


def listed(ticket: Ticket) -> bool:
    """In the public feed (and its index): verified and not confidential."""
    return not ticket.confidential and verified(ticket)


def trackable(ticket: Ticket) -> bool:
    """Readable by tracking code (status only until verified)."""
    return not ticket.confidential


def mask_identity(text: str, ticket: Ticket) -> str:
    reporter = ticket.reporter
    return mask_names(mask_contacts(text), [reporter.ref, reporter.contact or "", reporter.name or ""])


def _location(ticket: Ticket, decimals: int) -> PublicLocation | None:
    where = ticket.location
    if where is None:
        return None
    if not ticket.anonymous:
        address = mask_identity(where.address, ticket) if where.address else None
        return PublicLocation(lat=where.lat, lon=where.lon, address=address, area_code=where.area_code)
    return PublicLocation(
        lat=round(where.lat, decimals) if where.lat is not None else None,
        lon=round(where.lon, decimals) if where.lon is not None else None,
        area_code=where.area_code, coarsened=True,
    )


def public_complaint(ticket: Ticket, attachments: list[Attachment], zone: str, decimals: int,
                     photo_url: dict[str, str] | None = None) -> PublicComplaint:
    shown = listed(ticket)
    label_id, label_en = LABELS[ticket.status]
    photos = [PublicPhoto(id=a.id, content_type=a.content_type, url=(photo_url or {}).get(a.id))
              for a in public_photos(ticket, attachments)]
    return PublicComplaint(
        tracking_code=ticket.tracking_code,
        title=mask_identity(ticket.title, ticket) if shown else None,
        text=mask_identity(ticket.text, ticket) if shown else None,
        category_id=ticket.category_id,
        location=_location(ticket, decimals) if shown else None,
        channel=ticket.channel.value,
        status=ticket.status.value,
        status_label=StatusLabel(id=label_id, en=label_en),
        assigned_agency_id=ticket.assigned_agency_id,
        resolution=mask_identity(ticket.resolution, ticket) if shown and ticket.resolution else None,
        rating_score=ticket.rating.score if ticket.rating else None,
        created_at=for_display(ticket.created_at, zone),
        updated_at=for_display(ticket.updated_at, zone),
        resolved_at=for_display(ticket.resolved_at, zone),
        closed_at=for_display(ticket.closed_at, zone),
        expected_at=for_display(expected_datetime(ticket), zone),
        photos=photos,
    )


def public_photos(ticket: Ticket, attachments: list[Attachment]) -> list[Attachment]:
    if not listed(ticket):
        return []
    return [a for a in attachments if a.public and a.content_type.startswith("image/")]


def expected_datetime(ticket: Ticket) -> str | None:
    """The resolution due time from the SLA (issue 5 adds the field; absent until then)."""
    value = getattr(ticket, "expected_datetime", None)
    return value if isinstance(value, str) else None
