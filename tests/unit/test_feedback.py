"""Closing the loop: how answers read, what the question looks like on each channel, who is asked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aduan.adapters.senders.base import Credentials, Reply, SendContext
from aduan.adapters.senders.registry import SENDERS
from aduan.logic.feedback import Answer, read
from aduan.models.contact import Contact
from aduan.models.outbound import OutboundMessage
from aduan.models.ticket import Channel, Reporter, Ticket
from aduan.services.feedback import FeedbackService

NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
STAMP = "2026-11-20T03:00:00.000000Z"
CODE = "ADU-7K3Q-9G"


@pytest.mark.parametrize(("text", "button", "answer"), [
    ("4", None, Answer("rating", score=4)),
    ("nilai 5", None, Answer("rating", score=5)),
    ("Beres", None, Answer("fixed")),
    ("FIXED", None, Answer("fixed")),
    ("BUKA lampunya masih mati", None, Answer("reopen", reason="lampunya masih mati")),
    ("tidak", None, Answer("reopen")),
    (None, f"fb:{CODE}:reopen", Answer("reopen", code=CODE)),
    ("Sudah beres", f"fb:{CODE}:fixed", Answer("fixed", code=CODE)),
    ("⭐⭐⭐ 3", f"fb:{CODE}:3", Answer("rating", code=CODE, score=3)),
])
def test_answers(text: str | None, button: str | None, answer: Answer) -> None:
    assert read(text, button) == answer


@pytest.mark.parametrize("text", ["6", "Tidak ada lampu di Jl. Pemuda", "1 2", "beres semua jalannya", "", None])
def test_not_answers(text: str | None) -> None:
    assert read(text, None) is None


def ticket() -> Ticket:
    return Ticket(id="01JC0000000000000000000000", tracking_code=CODE, title="Lampu mati", text="Lampu mati",
                  channel=Channel.WHATSAPP, reporter=Reporter(ref="whatsapp:+6281234567890"),
                  created_at=STAMP, updated_at=STAMP, status_since=STAMP)


def resolved(channel: Channel, recipient: str, follower: bool = False) -> OutboundMessage:
    return OutboundMessage(id="msg_1", cause_id="ev1", kind="TicketResolved", channel=channel, recipient=recipient,
                           contact_id=f"{channel.value}:{recipient}", text="Aduan selesai", tracking_code=CODE,
                           data={"follower": follower, "fallbacks": [], "template_values": {}})


def question(channel: Channel, recipient: str) -> OutboundMessage:
    return FeedbackService.question(resolved(channel, recipient), ticket())


def contact(channel: Channel) -> Contact:
    seen = (NOW - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return Contact(id="c", channel=channel, address="x", last_inbound_at=seen, created_at=STAMP, updated_at=STAMP)


def body(provider: str, message: OutboundMessage, creds: dict[str, str]) -> dict[str, Any]:
    request = SENDERS[provider].build(message, Credentials(creds), SendContext(NOW, contact(message.channel)))
    return dict(json.loads(request.body))


def test_whatsapp_asks_with_reply_buttons_inside_the_window() -> None:
    sent = body("whatsapp", question(Channel.WHATSAPP, "+6281234567890"),
                {"access_token": "t", "phone_number_id": "106540352242922"})
    assert sent["type"] == "interactive" and sent["interactive"]["type"] == "button"
    assert [b["reply"] for b in sent["interactive"]["action"]["buttons"]] == [
        {"id": f"fb:{CODE}:fixed", "title": "Sudah beres"}, {"id": f"fb:{CODE}:reopen", "title": "Belum beres"}]


def test_telegram_asks_with_an_inline_keyboard_and_answers_the_callback_query() -> None:
    sent = body("telegram", question(Channel.TELEGRAM, "5012345678"), {"bot_token": "123:abc"})
    rows = sent["reply_markup"]["inline_keyboard"]
    assert [k["callback_data"] for k in rows[0]] == [f"fb:{CODE}:fixed", f"fb:{CODE}:reopen"]
    assert [k["callback_data"] for k in rows[1]] == [f"fb:{CODE}:{n}" for n in (5, 4, 3, 2, 1)]
    ack = resolved(Channel.TELEGRAM, "5012345678").model_copy(update={"data": {"callback_query_id": "4382bf"}})
    request = SENDERS["telegram"].build(ack, Credentials({"bot_token": "123:abc"}), SendContext(NOW))
    assert request.url.endswith("/answerCallbackQuery") and "123:abc" not in request.url
    assert json.loads(request.body) == {"callback_query_id": "4382bf", "text": "Aduan selesai"}
    assert SENDERS["telegram"].interpret(Reply(200, {"ok": True, "result": True})).outcome == "sent"


@pytest.mark.parametrize(("provider", "channel"), [("messenger", Channel.MESSENGER), ("instagram", Channel.INSTAGRAM)])
def test_messenger_and_instagram_ask_with_quick_replies(provider: str, channel: Channel) -> None:
    sent = body(provider, question(channel, "6789012345678901"), {"access_token": "t", "page_id": "1"})
    replies = sent["message"]["quick_replies"]
    assert len(replies) == 7 and all(r["content_type"] == "text" and len(r["title"]) <= 20 for r in replies)
    assert replies[0]["payload"] == f"fb:{CODE}:fixed"


def test_sms_and_email_ask_in_words() -> None:
    sms = question(Channel.SMS, "+6281234567890")
    assert sms.data["choices"] == [] and "1-5" in sms.text and "BUKA" in sms.text and "BERES" in sms.text


def test_only_the_reporter_is_asked_not_the_followers_of_merged_duplicates() -> None:
    class Store:
        asked: list[str] = []

        def ask(self, contact_id: str, code: str, asked_at: str, expires_at: int) -> None:
            self.asked.append(contact_id)

    class City:
        class settings:  # stands in for CityConfig.settings
            reopen_window_days = 14

    store = Store()
    service = FeedbackService(tickets=None, store=store, config=lambda: City)  # type: ignore[arg-type]
    follower = resolved(Channel.WHATSAPP, "+6281111111111", follower=True)
    assert service.ask([follower], ticket()) == [] and store.asked == []
    asked = service.ask([follower, resolved(Channel.WHATSAPP, "+6281234567890")], ticket())
    assert [m.recipient for m in asked] == ["+6281234567890"] and store.asked == ["whatsapp:+6281234567890"]
