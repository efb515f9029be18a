"""Pure conversation logic: commands, language, phone numbers, and the comment-or-new decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aduan.logic.clock import to_storage
from aduan.logic.commands import Command, Keyword, parse
from aduan.logic.conversation import (
    RECENT_CODES,
    Conversation,
    Move,
    OpenTicket,
    body_for,
    decide,
    title_for,
    with_code,
)
from aduan.logic.language import detect
from aduan.logic.phone import to_e164
from aduan.logic.status_machine import Status
from aduan.models.inbound import InboundMessage, MediaRef, SharedLocation
from aduan.models.ticket import Channel
from infra.channel_samples import samples

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def message(text: str | None = "Ada lubang besar di jalan depan rumah", **fields: object) -> InboundMessage:
    return InboundMessage(id=f"in_{abs(hash((text, str(fields))))}", channel=Channel.WHATSAPP, provider="whatsapp",
                          provider_message_id="wamid.x", sender="+6281234567890", text=text,
                          received_at=to_storage(NOW), **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("text,expected", [
    ("STATUS ADU-7K3Q-9G", Command(Keyword.STATUS, "ADU-7K3Q-9G")),
    ("cek adu 7k3q 9g", Command(Keyword.STATUS, "adu 7k3q 9g")),
    ("Stop", Command(Keyword.STOP)), ("BERHENTI", Command(Keyword.STOP)), ("berhenti.", Command(Keyword.STOP)),
    ("MULAI", Command(Keyword.START)), ("/start", Command(Keyword.START)),
    ("1", Command(Keyword.ADD)), ("tambah", Command(Keyword.ADD)), ("BARU", Command(Keyword.NEW)),
    ("stop lampu merah di simpang lima mati", None), ("Mohon dicek jalan rusak", None), ("", None), (None, None),
])
def test_commands(text: str | None, expected: Command | None) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Selamat pagi, ada lubang besar di jalan depan rumah saya", "id"),
    ("The street light near my house is broken since last week", "en"),
    ("ok", None), ("ADU-7K3Q-9G", None), (None, None),
])
def test_language(text: str | None, expected: str | None) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize("raw,expected", [
    ("081234567890", "+6281234567890"), ("+62 812-3456-7890", "+6281234567890"),
    ("6281234567890", "+6281234567890"), ("whatsapp:+6281234567890", "+6281234567890"),
    ("0062 812 3456 7890", "+6281234567890"), ("(024) 3513366", "+62243513366"),
    ("not a phone", None), ("12", None), ("US.13491208655302741918", None),
])
def test_e164(raw: str, expected: str | None) -> None:
    assert to_e164(raw) == expected


def test_a_first_message_files_a_complaint() -> None:
    assert decide(message(), Conversation(), None, NOW).move == Move.FILE


def test_messages_within_the_window_join_the_last_complaint_without_a_reply() -> None:
    recent = Conversation(last_code="ADU-7K3Q-9G", last_at=to_storage(NOW - timedelta(minutes=4)))
    photo = message(None, media=[MediaRef(kind="image", ref="123")])
    plan = decide(photo, recent, OpenTicket("ADU-7K3Q-9G", Status.RECEIVED), NOW)
    assert (plan.move, plan.code, plan.acknowledge) == (Move.ADD, "ADU-7K3Q-9G", False)


def test_an_open_complaint_outside_the_window_asks_and_the_answer_decides() -> None:
    old = Conversation(last_code="ADU-7K3Q-9G", last_at=to_storage(NOW - timedelta(hours=2)))
    held = message("Sampahnya juga belum diangkut")
    ask = decide(held, old, OpenTicket("ADU-7K3Q-9G", Status.IN_PROGRESS), NOW)
    assert (ask.move, ask.code) == (Move.ASK, "ADU-7K3Q-9G")
    waiting = Conversation(pending=held, pending_code="ADU-7K3Q-9G")
    assert decide(message("1"), waiting, None, NOW) == decide(message("TAMBAH"), waiting, None, NOW)
    assert decide(message("1"), waiting, None, NOW).messages == [held]
    assert decide(message("BARU"), waiting, None, NOW).move == Move.FILE
    other = message("Dan got mampet juga")
    assert decide(other, waiting, None, NOW).messages == [held, other]


def test_a_message_while_we_wait_for_information_is_the_information() -> None:
    plan = decide(message("Lokasinya di depan SD Negeri 2"), Conversation(), OpenTicket("ADU-7K3Q-9G",
                                                                                        Status.NEED_INFO), NOW)
    assert (plan.move, plan.code, plan.acknowledge) == (Move.ADD, "ADU-7K3Q-9G", True)


def test_the_open_complaint_is_looked_up_only_when_the_plan_depends_on_it() -> None:
    looked: list[str] = []

    def lookup() -> OpenTicket:
        looked.append("read")
        return OpenTicket("ADU-7K3Q-9G", Status.IN_PROGRESS)

    recent = Conversation(last_code="ADU-7K3Q-9G", last_at=to_storage(NOW - timedelta(minutes=4)))
    assert decide(message(), recent, lookup, NOW).move == Move.ADD  # in the window: no read
    assert decide(message("STOP"), Conversation(), lookup, NOW).move == Move.OPT_OUT
    assert looked == []
    assert decide(message(), Conversation(), lookup, NOW).move == Move.ASK and looked == ["read"]


def test_the_recent_codes_keep_the_newest_first_without_repeats() -> None:
    assert with_code(None, "ADU-A") == ("ADU-A",)
    assert with_code(("ADU-B", "ADU-A"), "ADU-A") == ("ADU-A", "ADU-B")
    many = tuple(f"ADU-{n}" for n in range(RECENT_CODES))
    assert with_code(many, "ADU-NEW") == ("ADU-NEW", *many[:-1])


def test_commands_win_over_grouping_and_questions() -> None:
    recent = Conversation(last_code="ADU-7K3Q-9G", last_at=to_storage(NOW))
    assert decide(message("CEK ADU-7K3Q-9G"), recent, None, NOW).move == Move.STATUS
    assert decide(message("STOP"), recent, None, NOW).move == Move.OPT_OUT
    assert decide(message("MULAI"), Conversation(), None, NOW).move == Move.OPT_IN


def test_title_and_body_from_text_photo_and_location() -> None:
    parts = [message("Jalan berlubang\nsudah 2 minggu"), message(None, media=[MediaRef(kind="image", ref="1")]),
             message(None, location=SharedLocation(lat=-6.9875, lon=110.412, name="Pandanaran"))]
    assert title_for(parts) == "Jalan berlubang"
    body = body_for(parts)
    assert "sudah 2 minggu" in body and "1 lampiran" in body and "-6.987500, 110.412000 - Pandanaran" in body
    assert title_for([message(None)]) == "Aduan via WhatsApp"


def test_committed_samples_are_current() -> None:
    from infra.channel_samples import rendered

    stale = [str(path) for path, text in rendered().items() if path.read_text(encoding="utf-8") != text]
    assert not stale, "run python -m infra.channel_samples --write"
    assert samples()  # every sample signs with the development secrets
