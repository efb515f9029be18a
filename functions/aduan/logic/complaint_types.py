"""Which kind of report a chat message is: the citizen says so with a keyword at the start ("ASPIRASI …",
"#info …"); anything else is a complaint (pengaduan). The keywords are the city's (settings.json)."""

from __future__ import annotations

from collections.abc import Mapping

from aduan.logic.normalise import words as tokens
from aduan.models.ticket import ComplaintType


def from_words(text: str, keywords: Mapping[str, ComplaintType]) -> ComplaintType:
    """The type named by the first word(s) of the message, else pengaduan."""
    words = [word.raw for word in tokens(text[:80])]
    for size in (2, 1):
        lead = " ".join(words[:size])
        if lead in keywords:
            return keywords[lead]
    return ComplaintType.PENGADUAN
