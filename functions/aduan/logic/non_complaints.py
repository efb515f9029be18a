"""Messages that are not complaints get a word back instead of a complaint. Pure.

- Nothing to act on (a sticker alone, a reaction, emoji or punctuation only, an empty message): a short
  prompt to describe the problem.
- Something the channel delivers but we cannot take as a complaint (an Instagram story mention, a shared
  contact card, an order from a catalogue): a polite reply saying what this channel accepts.

Parsers mark the second kind with `extra["kind"]`; the first is read from the message itself.
"""

from __future__ import annotations

from typing import Literal

from aduan.models.contact import Language
from aduan.models.inbound import InboundMessage
from aduan.models.ticket import Channel

Verdict = Literal["describe", "not_accepted"]
UNSUPPORTED_KINDS = frozenset({"story_mention", "contacts", "order", "unsupported"})
NOTHING_KINDS = frozenset({"reaction", "sticker", "empty"})

ACCEPTED: dict[Channel, dict[Language, str]] = {
    Channel.WHATSAPP: {"id": "teks, foto, video, dokumen, pesan suara dan lokasi",
                       "en": "text, photos, videos, documents, voice notes and locations"},
    Channel.TELEGRAM: {"id": "teks, foto, video, dokumen, pesan suara dan lokasi",
                       "en": "text, photos, videos, documents, voice notes and locations"},
    Channel.MESSENGER: {"id": "teks, foto, video dan berkas", "en": "text, photos, videos and files"},
    Channel.INSTAGRAM: {"id": "pesan langsung berisi teks, foto atau video",
                        "en": "direct messages with text, photos or videos"},
}
DEFAULT_ACCEPTED: dict[Language, str] = {"id": "teks, foto dan lokasi", "en": "text, photos and locations"}
TEXTS: dict[Verdict, dict[Language, str]] = {
    "describe": {
        "id": ("Halo! Untuk membuat aduan, ceritakan masalahnya dengan kata-kata (apa dan di mana), "
               "lalu kirim foto atau lokasi bila ada."),
        "en": ("Hello! To file a complaint, describe the problem in words (what and where), then send a "
               "photo or your location if you can."),
    },
    "not_accepted": {
        "id": ("Terima kasih. Pesan jenis ini tidak dapat kami proses sebagai aduan. Lewat {channel} kami "
               "menerima {accepted}: ceritakan masalahnya dan lokasinya."),
        "en": ("Thank you. We cannot take this kind of message as a complaint. On {channel} we accept "
               "{accepted}: tell us the problem and where it is."),
    },
}


def verdict(message: InboundMessage) -> Verdict | None:
    """None for a message that may be (part of) a complaint."""
    kind = message.extra.get("kind")
    if kind in UNSUPPORTED_KINDS:
        return "not_accepted"
    if message.location is not None or any(media.kind != "sticker" for media in message.media):
        return None
    if kind in NOTHING_KINDS or not (_has_words(message.text) or _has_words(message.subject)):
        return "describe"
    return None


def reply(found: Verdict, channel: Channel, language: Language) -> str:
    accepted = ACCEPTED.get(channel, DEFAULT_ACCEPTED)[language]
    name = channel.value.capitalize() if channel != Channel.WHATSAPP else "WhatsApp"
    return TEXTS[found][language].format(channel=name, accepted=accepted)


def _has_words(text: str | None) -> bool:
    """Letters or digits: emoji, punctuation and whitespace alone say nothing we can act on."""
    return any(char.isalnum() for char in text or "")
