"""Closing the loop by chat, through signed webhooks, the intake worker, the API and the notifier:
the reporter is asked on their channel when their complaint is resolved (buttons where the channel has
them), and their answer (a button, a Telegram callback_query, an SMS keyword) is recorded on the complaint
as the reporter with the API's rules, and acknowledged."""

from __future__ import annotations

import json
from typing import Any

from channels_harness import Channels, channels_fixture  # noqa: F401 - the `channels` fixture

from aduan.models.outbound import OutboundMessage
from infra import channel_samples as samples
from tests.integration.conftest import Api
from tests.integration.test_notifications import Port, events

PHONE = "+6281234567890"


def filed(channels: Channels, channel: str, payload: dict[str, Any]) -> str:
    channels.deliver(channel, payload)
    return str(channels.outbox()[-1]["tracking_code"])


def resolve(api: Api, code: str) -> None:
    for who, action, version, fields in (("verifier", "verify", 1, {}), ("verifier", "assign", 2, {"agency_id": "dpu"}),
                                         ("dpu", "accept", 3, {}),
                                         ("dpu", "resolve", 4, {"response": "Sudah diperbaiki oleh tim DPU."}),
                                         ("verifier", "approve_answer", 5, {})):  # Semarang's desk reviews answers
        reply = api.act(who, code, action, version, **fields)
        assert reply.status == 200, reply.body


def notify(code: str) -> list[OutboundMessage]:
    """Run the notifier (with the feedback hook, as wired in production) over the complaint's events."""
    from aduan.wiring import notifier_service

    notifier_service.cache_clear()
    service = notifier_service()
    port = Port()
    service.port = lambda: port
    for event in events(code):
        service.handle(event)
    return port.sent


def whatsapp_button(button_id: str, title: str, wamid: str) -> dict[str, Any]:
    return samples.whatsapp_message({"id": wamid, "type": "interactive", "context": {
        "from": "6282140001111", "id": "wamid.QUESTION"}, "interactive": {
        "type": "button_reply", "button_reply": {"id": button_id, "title": title}}})


def whatsapp_text(body: str, wamid: str) -> dict[str, Any]:
    return samples.whatsapp_message({"id": wamid, "type": "text", "text": {"body": body}})


def status(api: Api, code: str) -> dict[str, Any]:
    return dict(api("GET", f"/v1/complaints/{code}", who="verifier").body)


def test_whatsapp_reporter_is_asked_with_buttons_then_closes_and_rates(channels: Channels, api: Api) -> None:
    code = filed(channels, "whatsapp", samples.WHATSAPP_TEXT)
    resolve(api, code)
    sent = notify(code)
    [question] = [m for m in sent if m.kind == "feedback_question"]
    assert (question.channel.value, question.recipient) == ("whatsapp", PHONE)
    assert [c["payload"] for c in question.data["choices"]] == [f"fb:{code}:fixed", f"fb:{code}:reopen"]
    assert notify(code) == sent  # a redelivered event asks the same question (same message ids)

    channels.deliver("whatsapp", whatsapp_button(f"fb:{code}:fixed", "Sudah beres", "wamid.ANSWER1"))
    assert status(api, code)["status"] == "closed"
    ack = channels.outbox()[-1]
    assert ack["kind"] == "intake_feedback_fixed" and code in ack["text"]
    channels.deliver("whatsapp", whatsapp_text("4", "wamid.ANSWER2"))  # the rating the ack invited
    assert status(api, code)["rating"]["score"] == 4
    assert channels.outbox()[-1]["kind"] == "intake_feedback_rated"
    channels.deliver("whatsapp", whatsapp_text("5", "wamid.ANSWER3"))  # one rating only, as in the API
    refused = channels.outbox()[-1]
    assert refused["kind"] == "intake_feedback_refused" and status(api, code)["rating"]["score"] == 4
    timeline = api("GET", f"/v1/complaints/{code}/timeline", who="verifier", query={"limit": "100"}).body["items"]
    assert [e["type"] for e in timeline if e["actor_role"] == "citizen"][-2:] == ["TicketClosed", "RatingGiven"]


def test_telegram_callback_query_reopens_and_is_answered(channels: Channels, api: Api) -> None:
    code = filed(channels, "telegram", samples.TELEGRAM_TEXT)
    resolve(api, code)
    [question] = [m for m in notify(code) if m.kind == "feedback_question"]
    assert len(question.data["choices"]) == 7  # fixed, not fixed and the five scores
    callback = {"update_id": 734512099, "callback_query": {
        "id": "4382bfdwdsb323b2d9", "chat_instance": "-8261635551293417845", "data": f"fb:{code}:reopen",
        "from": {"id": 5012345678, "is_bot": False, "first_name": "Budi", "language_code": "id"},
        "message": {"message_id": 377, "date": samples.SAMPLE_TIME, "text": question.text,
                    "chat": {"id": 5012345678, "type": "private"}}}}
    channels.deliver("telegram", callback)
    assert status(api, code)["status"] == "reopened"
    ack, answer = channels.outbox()[-2:]
    assert ack["kind"] == "intake_feedback_reopened" and ack["recipient"] == "5012345678"
    assert answer["kind"] == "intake_callback_answer" and answer["data"]["callback_query_id"] == "4382bfdwdsb323b2d9"
    assert ack["id"] != answer["id"]


def test_sms_keywords_reopen_with_the_citizens_reason(channels: Channels, api: Api) -> None:
    from test_channel_adapters import twilio

    twilio(samples.TWILIO_SMS)(channels)
    channels.work()
    code = str(channels.outbox()[-1]["tracking_code"])
    resolve(api, code)
    [question] = [m for m in notify(code) if m.kind == "feedback_question"]
    assert question.channel.value == "sms" and question.data["choices"] == [] and "BUKA" in question.text
    form = [(k, v) for k, v in samples.TWILIO_SMS if k not in ("Body", "MessageSid", "SmsSid", "SmsMessageSid")]
    form += [("Body", "BUKA lampunya masih mati total"), ("MessageSid", "SM00000000000000000000000000000002")]
    twilio(form)(channels)
    channels.work()
    assert status(api, code)["status"] == "reopened"
    timeline = api("GET", f"/v1/complaints/{code}/timeline", who="verifier", query={"limit": "100"}).body["items"]
    reopened = [e for e in timeline if e["type"] == "TicketReopened"]
    assert reopened and "lampunya masih mati total" in json.dumps(reopened[-1])


def test_a_keyword_without_a_question_is_an_ordinary_message(channels: Channels, api: Api) -> None:
    channels.deliver("whatsapp", whatsapp_text("BERES", "wamid.NOQUESTION"))
    assert channels.outbox()[-1]["kind"] == "intake_filed"  # no question pending: a (short) complaint
