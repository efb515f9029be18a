"""Which language a citizen writes in (Bahasa Indonesia or English), to answer in the same one.

A small stop-word vote: complaints are short and informal, so only frequent function words count.
Too little evidence returns None and the contact keeps its previous language (default Indonesian).
"""

from __future__ import annotations

import re

from aduan.models.contact import Language

_INDONESIAN = frozenset(
    ("yang dan di ke dari ini itu ada tidak tak gak nggak belum sudah sdh udah mohon tolong pak bu bapak "  # noqa: SIM905 - a word list reads better as text
     "ibu jalan rusak sampah banjir lampu mati air bocor dengan untuk karena sejak depan dekat kami saya "
     "sy warga sangat sekali mas mbak terima kasih selamat pagi siang sore malam lubang macet").split())
_ENGLISH = frozenset(
    ("the and is are was were a an of to in on at from this that there not no yet already please help road "  # noqa: SIM905
     "broken garbage trash flood light water leak with for because since near we i my our very thank "
     "thanks you hello good morning evening street hole").split())
MIN_VOTES = 2


def detect(text: str | None) -> Language | None:
    if not text:
        return None
    words = re.findall(r"[a-z]+", text.lower())
    indonesian = sum(word in _INDONESIAN for word in words)
    english = sum(word in _ENGLISH for word in words)
    if max(indonesian, english) < MIN_VOTES or indonesian == english:
        return None
    return "id" if indonesian > english else "en"
