"""A citizen's address on a channel, normalised once at the edge so every later step (contact id,
reply recipient, provider prefix) sees the same value.

Providers decorate addresses differently: Twilio writes WhatsApp senders as `whatsapp:+62…` or, for
WhatsApp username users, `whatsapp:US.1349…` (with the BSUID also in `ExternalUserId`); Meta sends bare
digits (`6281…`) or only a BSUID (`from_user_id`). Stored, a phone is E.164 and a BSUID is bare; the
provider's own prefix is added back only when a request to that provider is built.
"""

from __future__ import annotations

import re

from aduan.logic.phone import to_e164

WHATSAPP_PREFIX = "whatsapp:"
# Business-scoped user id: ISO country code, a period, then up to 128 alphanumerics (parents carry ENT.).
_BSUID = re.compile(r"^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$")


def bare(raw: str) -> str:
    """Without any provider prefix (repeated ones too: `whatsapp:whatsapp:US.1` -> `US.1`)."""
    value = raw.strip()
    while value.lower().startswith(WHATSAPP_PREFIX):
        value = value[len(WHATSAPP_PREFIX):].strip()
    return value


def is_bsuid(value: str) -> bool:
    return bool(_BSUID.match(value))


def whatsapp_address(raw: str, country_code: str = "") -> str | None:
    """E.164 for a phone, the bare BSUID for a username user; None when it is neither."""
    value = bare(raw)
    if is_bsuid(value):
        return value
    return to_e164(value, country_code=country_code) if value else None


def twilio_whatsapp(address: str) -> str:
    """Twilio's form of a WhatsApp address (`whatsapp:+62…`, `whatsapp:US.…`), prefixed exactly once."""
    return WHATSAPP_PREFIX + bare(address)
