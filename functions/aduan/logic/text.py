"""Text from outside, made safe to store and to render in any format (JSON, XML 1.0, CSV).

Control characters (C0 except tab and newlines, DEL, C1), lone UTF-16 surrogates and the XML-invalid
non-characters are removed at input; a one-line field also turns tabs and newlines into spaces. Invisible
format characters (zero-width spaces and joiners, BOM, soft hyphen, bidi marks) are kept inside words
(Indonesian and Javanese text does not need them, but names in other scripts may), yet a field made only
of them counts as empty. CSV cells that a spreadsheet would run as a formula are neutralised on output.
"""

from __future__ import annotations

import re

# Characters XML 1.0 forbids or that terminals interpret (ESC), plus lone surrogates that UTF-8 cannot encode.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\t\r\n\u2028\u2029]+")
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufeff\uffa0]")
# A spreadsheet reads a cell starting with these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


TITLE_LENGTH = 80  # a title made from a message's first line


def first_line_title(text: str) -> str:
    """The first line of a non-blank text as a title, cut to TITLE_LENGTH with an ellipsis."""
    line = text.strip().splitlines()[0].strip()
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"


def clean(value: str) -> str:
    """Multi-line text: unsafe characters removed, surrounding whitespace trimmed."""
    return _UNSAFE.sub("", value).strip()


def clean_line(value: str) -> str:
    """One-line text (a title, a name): also no tabs or line breaks."""
    return _LINE_BREAKS.sub(" ", _UNSAFE.sub("", value)).strip()


def visible(value: str) -> str:
    """The text without invisible format characters or spaces: empty means nothing a person can read."""
    return "".join(_INVISIBLE.sub("", value).split())


def safe_for_xml(value: str) -> str:
    """Output side: whatever reached storage before input cleaning existed cannot break an XML document."""
    return _UNSAFE.sub("", value)


def csv_cell(value: object) -> object:
    """A cell a spreadsheet shows as text, never evaluates: formula-like text gets a leading apostrophe."""
    if isinstance(value, str):
        value = _UNSAFE.sub("", value)
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value
