"""The public rules, pure: which complaints are published and what of them anyone may see.

- confidential complaints are never published; others are listed once the desk verified them
  (logic/visibility.py);
- the reporter's identity never appears: no reporter field, and names, phone numbers, e-mail
  addresses and NIK-like numbers are masked in the text;
- anonymous complaints lose their street address and have their coordinates rounded;
- photos appear only when an officer marked them public;
- the public steps of the timeline are its changes of status in words, never an internal step, a note,
  an officer or the reporter; a published complaint's steps also name the agency it went to and carry
  the agency's (masked) answer on the latest resolution.
"""

from __future__ import annotations

from aduan.logic.clock import for_display
from aduan.logic.masking import mask_contacts, mask_names
from aduan.logic.status_machine import LABELS, Status
from aduan.logic.visibility import listed
from aduan.models.api import StatusLabel
from aduan.models.public import PublicComplaint, PublicLocation, PublicPhoto, PublicStep
from aduan.models.ticket import Attachment, Ticket, TimelineEntry

# Steps that name the agency (from the entry's data), in words with `{agency}` for its short name.
AGENCY_STEP_WORDS: dict[Status, tuple[str, str]] = {
    Status.ASSIGNED: ("Didisposisikan ke {agency}", "Assigned to {agency}"),
    Status.FORWARDED: ("Diteruskan ke {agency}", "Forwarded to {agency}"),
    Status.RESOLVED: ("Selesai ditindaklanjuti oleh {agency}", "Resolved by {agency}"),
}


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


def public_steps(entries: list[TimelineEntry], ticket: Ticket, zone: str, agency_names: dict[str, str]
                 ) -> list[PublicStep]:
    """The timeline's public changes of status, oldest first. Internal entries (work between the desk
    and agency units, answers under review) and entries that move no status (comments, triage, SLA,
    notifications) are left out; no note, actor or data is copied except the agency named by an
    assignment, forward or resolution. Before verification a step is a status and a time only."""
    shown = listed(ticket)
    moves = [(entry, status) for entry in entries if (status := _public_move(entry)) is not None]
    last_resolved = max((i for i, (_, status) in enumerate(moves) if status == Status.RESOLVED), default=None)
    steps = []
    for index, (entry, status) in enumerate(moves):
        label_id, label_en = LABELS[status]
        agency_id = entry.data.get("agency_id") if shown and status in AGENCY_STEP_WORDS else None
        agency_name = agency_names.get(agency_id) if isinstance(agency_id, str) else None
        if agency_name:
            words_id, words_en = AGENCY_STEP_WORDS[status]
            label_id, label_en = words_id.format(agency=agency_name), words_en.format(agency=agency_name)
        answer = ticket.resolution if shown and index == last_resolved and ticket.resolution else None
        steps.append(PublicStep(
            at=for_display(entry.occurred_at, zone), status=status.value,
            label=StatusLabel(id=label_id, en=label_en),
            agency_id=agency_id if agency_name else None, agency_name=agency_name,
            answer=mask_identity(answer, ticket) if answer else None,
        ))
    return steps


def _public_move(entry: TimelineEntry) -> Status | None:
    """The status a public entry moved the complaint to (None: internal, or no move)."""
    moved = not entry.internal and entry.to_status != entry.from_status
    return entry.to_status if moved else None


def public_complaint(ticket: Ticket, attachments: list[Attachment], zone: str, decimals: int,
                     photo_url: dict[str, str] | None = None, steps: list[PublicStep] | None = None
                     ) -> PublicComplaint:
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
        steps=steps or [],
    )


def public_photos(ticket: Ticket, attachments: list[Attachment]) -> list[Attachment]:
    if not listed(ticket):
        return []
    return [a for a in attachments if a.public and a.content_type.startswith("image/")]


def expected_datetime(ticket: Ticket) -> str | None:
    """The resolution due time from the SLA (None while no resolution clock runs)."""
    return ticket.expected_datetime
