"""Closing the loop on the citizen's own channel. Pure: what we ask, and how an answer reads.

When a complaint is resolved its reporter (not the followers of merged duplicates) is asked whether it
is fixed. Buttons carry a payload `fb:<code>:<answer>`; on channels without buttons (SMS, e-mail, a
WhatsApp template outside the 24-hour window) the same answers are keywords, in Indonesian and English:

    1 … 5                 a rating (5 = very good); also "NILAI 4" / "RATE 4"
    BERES, SUDAH, FIXED   it is fixed: the complaint is closed (a rating may follow)
    BUKA, BELUM, REOPEN   it is not fixed: the complaint is reopened; words after it are the reason

A keyword counts only while a question is pending for that citizen, so "1" elsewhere keeps its meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from aduan.models.contact import Language

AnswerKind = Literal["rating", "fixed", "reopen"]
PAYLOAD_PREFIX = "fb:"
REASON_MIN = 5  # the API's ReopenRequest.reason minimum


@dataclass(frozen=True)
class Answer:
    kind: AnswerKind
    code: str | None = None  # from a button payload; a keyword answers the pending question's complaint
    score: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Choice:
    """A button: what it says (≤ 20 characters: WhatsApp's and Messenger's limit) and its payload."""

    title: str
    payload: str


_FIXED = {"BERES", "SUDAH", "SELESAI", "FIXED", "YA", "YES", "OK", "DONE"}
_REOPEN = {"BUKA", "BELUM", "REOPEN"}  # may be followed by the reason
_REOPEN_ALONE = {"TIDAK", "NO"}  # only on their own: "Tidak ada lampu di …" is a new complaint
_RATE = {"NILAI", "RATE", "RATING", "SKOR", "SCORE"}
_WORD = re.compile(r"[\w/-]+")

TEXTS: dict[str, dict[Language, str]] = {
    "question": {
        "id": ("Aduan {code} sudah selesai ditangani. Apakah masalahnya sudah beres? Balas angka 1-5 untuk "
               "menilai (5 = sangat baik), BERES jika sudah beres, atau BUKA jika belum (boleh dengan alasan)."),
        "en": ("Complaint {code} has been resolved. Is the problem fixed? Reply with a score 1-5 (5 = very "
               "good), FIXED if it is, or REOPEN if it is not (you may add why)."),
    },
    "rated": {"id": "Terima kasih atas penilaian {score}/5 untuk aduan {code}.",
              "en": "Thank you for rating complaint {code} {score}/5."},
    "fixed": {"id": "Terima kasih! Aduan {code} kami tutup. Beri nilai 1-5 untuk penanganannya bila berkenan.",
              "en": "Thank you! We closed complaint {code}. Rate how it was handled with 1-5 if you like."},
    "reopened": {"id": "Aduan {code} dibuka kembali dan akan ditangani lagi. Kami kabari perkembangannya.",
                 "en": "Complaint {code} was reopened and will be handled again. We will keep you posted."},
    "refused": {"id": "Maaf, jawaban untuk aduan {code} tidak dapat dicatat: {why}",
                "en": "Sorry, we could not record your answer for complaint {code}: {why}"},
}
CHOICES: dict[Language, list[tuple[str, str]]] = {
    "id": [("Sudah beres", "fixed"), ("Belum beres", "reopen")],
    "en": [("Fixed", "fixed"), ("Not fixed", "reopen")],
}
STARS = [("⭐" * score + f" {score}", str(score)) for score in range(5, 0, -1)]
DEFAULT_REASON: dict[Language, str] = {"id": "Pelapor menyatakan masalahnya belum beres (lewat {channel}).",
                                       "en": "The reporter says the problem is not fixed (via {channel})."}


def render(key: str, language: Language, **values: object) -> str:
    return TEXTS[key][language].format(**values)


def payload(code: str, answer: str) -> str:
    return f"{PAYLOAD_PREFIX}{code}:{answer}"


def choices(code: str, language: Language, with_scores: bool) -> list[Choice]:
    """Buttons: fixed / not fixed, and the five scores where the channel has room for them."""
    found = [Choice(title, payload(code, answer)) for title, answer in CHOICES[language]]
    if with_scores:
        found += [Choice(title, payload(code, answer)) for title, answer in STARS]
    return found


def read(text: str | None, button_payload: str | None) -> Answer | None:
    """A button's payload, or a keyword answer; None when the message is not an answer."""
    if button_payload and button_payload.startswith(PAYLOAD_PREFIX):
        code, _, answer = button_payload.removeprefix(PAYLOAD_PREFIX).rpartition(":")
        found = _answer(answer.upper(), None)
        return Answer(found.kind, code or None, found.score, None) if found else None
    words = _WORD.findall((text or "").strip())
    if not words:
        return None
    head = words[0].upper()
    rest = " ".join(words[1:])
    if head in _RATE and len(words) >= 2:
        return _answer(words[1], None)
    return _answer(head, rest or None, alone=len(words) == 1)


def _answer(word: str, rest: str | None, alone: bool = True) -> Answer | None:
    if word.isdigit() and alone and 1 <= int(word) <= 5:
        return Answer("rating", score=int(word))
    if word in _FIXED and alone:
        return Answer("fixed")
    if word in _REOPEN or (word in _REOPEN_ALONE and alone):
        return Answer("reopen", reason=rest)
    return None


def reason_for(answer: Answer, language: Language, channel: str) -> str:
    """The citizen's words when they gave enough, otherwise what they told us by pressing the button."""
    if answer.reason and len(answer.reason.strip()) >= REASON_MIN:
        return answer.reason.strip()[:2000]
    return DEFAULT_REASON[language].format(channel=channel)
