"""Complaint text as comparable words: lowercase, no punctuation, slang spelled out, affixes stripped.

Citizens write "jln berlubang gk diperbaiki2", officers write keyword lists as "jalan lubang": both
must meet. Each word becomes a `Word(raw, stem)`; keyword phrases are normalised the same way, and a
keyword word matches a text word when their raw forms or their stems agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

# Common SMS/WhatsApp spellings in Indonesian complaints -> the standard word.
SLANG: Mapping[str, str] = {
    "jl": "jalan", "jln": "jalan", "jlan": "jalan", "jalanan": "jalan",
    "gk": "tidak", "ga": "tidak", "gak": "tidak", "nggak": "tidak", "ngga": "tidak", "enggak": "tidak",
    "engga": "tidak", "tdk": "tidak", "tak": "tidak", "g": "tidak",
    "sdh": "sudah", "udh": "sudah", "udah": "sudah", "dah": "sudah", "blm": "belum", "blum": "belum",
    "yg": "yang", "dgn": "dengan", "dg": "dengan", "krn": "karena", "karna": "karena", "utk": "untuk",
    "tp": "tapi", "tpi": "tapi", "sy": "saya", "aq": "saya", "aku": "saya", "kmi": "kami", "kpd": "kepada",
    "bgt": "banget", "bngt": "banget", "lg": "lagi", "sj": "saja", "aja": "saja", "dr": "dari",
    "dri": "dari", "kl": "kalau", "kalo": "kalau", "klo": "kalau", "bs": "bisa", "msh": "masih",
    "mhn": "mohon", "tlg": "tolong", "tolongin": "tolong", "pak": "bapak", "bu": "ibu", "org": "orang",
    "skrg": "sekarang", "hr": "hari", "hrs": "harus", "sampe": "sampai", "ampe": "sampai",
    "kec": "kecamatan", "kel": "kelurahan", "kab": "kabupaten", "rt": "rt", "rw": "rw",
    "numpuk": "tumpuk", "mampet": "mampat", "bolong": "lubang", "gede": "besar",
    "ngalir": "alir", "nyala": "nyala", "item": "hitam", "bau": "bau",
    "lampu2": "lampu", "ktp-el": "ektp", "e-ktp": "ektp", "ektp": "ektp", "kk": "kartu keluarga",
}

_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_POSSESSIVES = ("nya", "ku", "mu")
_SUFFIXES = ("kan", "an", "i")
# Longest first, so "meng" is tried before "me".
_PREFIXES = ("memper", "menge", "meng", "meny", "mem", "men", "me", "diper", "di", "ter", "ber", "be",
             "peng", "peny", "pem", "pen", "per", "pe", "ke", "se", "nge", "ng")
# A nasal prefix swallows the root's first consonant before a vowel: menumpuk <- tumpuk,
# memotong <- potong, mengirim <- kirim, menyapu <- sapu. Either reading may be the root.
_NASAL_DROPPED = {"men": "t", "pen": "t", "mem": "p", "pem": "p", "meng": "k", "peng": "k",
                  "meny": "s", "peny": "s", "ng": "k", "ny": "s"}
_VOWELS = "aeiou"
_MIN_STEM = 3


@dataclass(frozen=True)
class Word:
    raw: str
    stems: frozenset[str]

    @property
    def stem(self) -> str:
        return min(self.stems, key=lambda candidate: (len(candidate), candidate))

    def meets(self, other: Word) -> bool:
        return self.raw == other.raw or bool(self.stems & other.stems)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> frozenset[str]:
    """Candidate roots by a light Indonesian stemmer (possessive, suffix, prefix). English words pass
    mostly untouched; the same function runs on keywords and text, so consistency beats grammar."""
    if word.isdigit() or len(word) <= _MIN_STEM + 1:
        return frozenset({word})
    for group in (_POSSESSIVES, _SUFFIXES):
        for ending in group:
            if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM + 1:
                word = word[: -len(ending)]
                break
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM:
            root = word[len(prefix):]
            dropped = _NASAL_DROPPED.get(prefix)
            if dropped and root[0] in _VOWELS:
                return frozenset({root, dropped + root})
            return frozenset({root})
    return frozenset({word})


def words(text: str, synonyms: Mapping[str, str] | None = None) -> list[Word]:
    extra = synonyms or {}
    found: list[Word] = []
    for token in _TOKEN.findall(_fold(text)):
        # "rusak2" / "rusak-rusak" (reduplication) is the word itself.
        token = re.sub(r"(?<=[a-z])2$", "", token)
        parts = token.split("-")
        if len(parts) == 2 and parts[0] == parts[1]:
            token = parts[0]
        replacement = extra.get(token) or SLANG.get(token) or token
        for piece in replacement.replace("-", " ").split():
            found.append(Word(piece, stem(piece)))
    return found


def phrase(keyword: str, synonyms: Mapping[str, str] | None = None) -> tuple[Word, ...]:
    return tuple(words(keyword, synonyms))


def occurrences(text: list[Word], needle: tuple[Word, ...]) -> int:
    """How many times the phrase occurs as consecutive words of the text."""
    size = len(needle)
    if not size:
        return 0
    return sum(1 for start in range(len(text) - size + 1)
               if all(text[start + i].meets(needle[i]) for i in range(size)))


def stems(text: str, synonyms: Mapping[str, str] | None = None) -> set[str]:
    return {word.stem for word in words(text, synonyms)}
