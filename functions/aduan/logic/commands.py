"""Keyword commands a citizen can send on any chat channel (Bahasa Indonesia and English)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Keyword(StrEnum):
    STATUS = "status"  # STATUS ADU-7K3Q-9G / CEK ADU-7K3Q-9G
    STOP = "stop"  # STOP / BERHENTI: no more messages from us
    START = "start"  # MULAI / START: messages again
    ADD = "add"  # answer to "comment or new?": add it to the open complaint
    NEW = "new"  # answer to "comment or new?": file a new complaint


@dataclass(frozen=True)
class Command:
    keyword: Keyword
    argument: str | None = None


_WORDS = {
    "STATUS": Keyword.STATUS, "CEK": Keyword.STATUS, "CHECK": Keyword.STATUS,
    "STOP": Keyword.STOP, "BERHENTI": Keyword.STOP, "UNSUBSCRIBE": Keyword.STOP,
    "MULAI": Keyword.START, "START": Keyword.START, "/START": Keyword.START,
}
_ANSWERS = {"1": Keyword.ADD, "TAMBAH": Keyword.ADD, "ADD": Keyword.ADD,
            "2": Keyword.NEW, "BARU": Keyword.NEW, "NEW": Keyword.NEW}


def parse(text: str | None) -> Command | None:
    """A command only when the whole message is one (a complaint that mentions 'stop' is a complaint)."""
    if not text:
        return None
    words = re.sub(r"[^\w/\- ]", " ", text.strip()).split()
    if not words or len(words) > 4:
        return None
    head = words[0].upper()
    keyword = _WORDS.get(head)
    if keyword == Keyword.STATUS:
        return Command(keyword, " ".join(words[1:]) or None)
    if keyword is not None and len(words) == 1:
        return Command(keyword)
    if len(words) == 1 and head in _ANSWERS:
        return Command(_ANSWERS[head])
    return None
