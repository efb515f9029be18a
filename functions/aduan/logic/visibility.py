"""Which complaints the public sees, pure: a confidential complaint never; others are listed in the public
feed once the desk verified them, and readable by tracking code (status only until verified) always.

Its own module so that the ticket store, which keeps the public feed's index, imports only these rules and
not what a public view is built with (logic/publication.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aduan.logic.status_machine import Status

if TYPE_CHECKING:
    from aduan.models.ticket import Ticket

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
