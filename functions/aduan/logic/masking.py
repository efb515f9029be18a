"""Masking what identifies a citizen in text that others read. Pure.

- Contact details (e-mail addresses, phone numbers, 16-digit NIK) are masked in everything the public
  reads, and, for anonymous complaints, in everything the agency reads (the desk still sees them: it
  may need to call back).
- Reporter names are masked for the public as whole words only, case-insensitively: "Adi Hari" masks
  "adi" and "hari" wherever they stand as words, never inside another word ("Adisucipto" stays). The
  full name is masked first, so "Adi Hari" becomes one mask rather than two. A name part that is also
  an everyday word ("hari", day) is still masked: a missed name can identify a reporter, a masked
  common word only costs a little readability.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from aduan.logic import phone
from aduan.logic.access import Principal
from aduan.models.ticket import Ticket

MASK = "[disamarkan]"
_CONTACT_PATTERNS = (
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail
    phone.IN_TEXT,  # phone numbers as written, NIK (16 digits), account numbers (logic/phone.py)
)
NAME_PART_MIN = 3


def mask_contacts(text: str) -> str:
    masked = text
    for pattern in _CONTACT_PATTERNS:
        masked = pattern.sub(MASK, masked)
    return masked


def mask_names(text: str, names: Iterable[str]) -> str:
    """Each name (and each word of it) masked where it stands as a whole word, any case."""
    candidates: set[str] = set()
    for name in names:
        clean = " ".join(name.split())
        candidates.add(clean)
        candidates.update(clean.split())
    masked = text
    for name in sorted((n for n in candidates if len(n) >= NAME_PART_MIN), key=len, reverse=True):
        # Lookarounds rather than \b: names may start or end with non-word characters (`+62…`, `O'Neil`).
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(part) for part in name.split()) + r"(?!\w)"
        masked = re.sub(pattern, MASK, masked, flags=re.IGNORECASE)
    return masked


def for_agency(principal: Principal, ticket: Ticket) -> bool:
    """An anonymous complaint's contact details are hidden from the agency; the desk (verifiers,
    supervisors) and the reporter themselves still see them."""
    return ticket.anonymous and principal.is_officer and not principal.sees_everything


def agency_text(principal: Principal, ticket: Ticket, text: str | None) -> str | None:
    return mask_contacts(text) if text and for_agency(principal, ticket) else text
