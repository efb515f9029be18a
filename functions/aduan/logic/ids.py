"""Identifiers: time-ordered ticket/event ids and human tracking codes.

Tracking codes are read aloud over the phone and typed from SMS, so they use Crockford's base32
(no I, L, O, U) and end with a Luhn mod-32 check character that catches every single-character
typo and most adjacent swaps before we hit the database.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_INDEX = {char: position for position, char in enumerate(ALPHABET)}
# Characters people confuse with alphabet members.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
CODE_BODY_LENGTH = 5


def new_id(moment: datetime) -> str:
    """A ULID: 48-bit millisecond time + 80 random bits, 26 Crockford characters, sortable by time."""
    return _ulid((int(moment.timestamp() * 1000) << 80) | secrets.randbits(80))


def derived_id(moment: datetime, *parts: object) -> str:
    """A ULID whose 80 low bits come from what the record is about, not from chance: a writer that runs
    again (a retried worker) writes the same record, which its conditional put then finds."""
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).digest()
    return _ulid((int(moment.timestamp() * 1000) << 80) | int.from_bytes(digest[:10], "big"))


def _ulid(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def check_character(body: str) -> str:
    """Luhn mod N over base 32."""
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * _INDEX[char]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def new_tracking_code(prefix: str) -> str:
    """E.g. ADU-7K3Q-9G: five random characters and one check character."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(CODE_BODY_LENGTH))
    full = body + check_character(body)
    return f"{prefix}-{full[:4]}-{full[4:]}"


def normalise_tracking_code(text: str, prefix: str) -> str | None:
    """The canonical code for what a person typed ('adu 7k3q 9m', 'ADU7K3Q9M'), or None if invalid."""
    cleaned = "".join(char for char in text.upper() if char.isalnum())
    if cleaned.startswith(prefix):
        cleaned = cleaned[len(prefix) :]
    cleaned = cleaned.translate(_LOOKALIKES)
    if len(cleaned) != CODE_BODY_LENGTH + 1 or any(char not in _INDEX for char in cleaned):
        return None
    if check_character(cleaned[:-1]) != cleaned[-1]:
        return None
    return f"{prefix}-{cleaned[:4]}-{cleaned[4:]}"
