"""Phone numbers, in one place: as providers send them -> E.164, so one citizen is one contact whatever
the format; and as people write them in text (`IN_TEXT`), to mask them where others read.

Indonesian numbers are written 0812…, 62812…, +62 812-…, whatsapp:+62812…, `(024) 355-1234` (a Semarang
landline), `0812 - 3456 - 7890`; the default country code applies to national (leading 0) numbers only.
"""

from __future__ import annotations

import re

DEFAULT_COUNTRY_CODE = "62"


def to_e164(raw: str, country_code: str = DEFAULT_COUNTRY_CODE) -> str | None:
    """'+62 812-3456-7890', '6281234567890', '081234567890' -> '+6281234567890'; None if not a number."""
    text = raw.strip().removeprefix("whatsapp:").removeprefix("tel:").strip()
    plus = text.startswith("+")
    digits = "".join(char for char in text if char.isdigit())
    if not digits or any(char.isalpha() for char in text):
        return None
    if not plus and text.startswith("00"):
        digits = digits[2:]
    elif not plus and digits.startswith("0"):
        digits = country_code + digits[1:]
    if not 8 <= len(digits) <= 15 or digits.startswith("0"):
        return None
    return f"+{digits}"


# A number as written: starting like an Indonesian phone (0…, (0…), 62…, +62…), then at least seven more
# digits with up to three of space, dot, hyphen or parenthesis between them (`) `, ` - `).
_WRITTEN = r"(?<!\d)(?:\+?62|\(?0)(?:[\s.()\-]{0,3}\d){7,}"
# Any long number with single separators: NIK (16 digits), account numbers, numbers without a prefix.
_LONG = r"\+?\d(?:[\s.-]?\d){7,}"
IN_TEXT = re.compile(f"{_WRITTEN}|{_LONG}")


def mask(text: str, replacement: str) -> str:
    return IN_TEXT.sub(replacement, text)
