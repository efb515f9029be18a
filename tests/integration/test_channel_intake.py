"""WhatsApp and Telegram end to end under moto: signed webhook -> S3 + FIFO queue -> intake worker ->
complaint, contact, recorded reply; redeliveries have one effect; bad requests get clear 4xx."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from channels_harness import Channels, channels_fixture  # noqa: F401 - the `channels` fixture

from conftest import Api
from infra import channel_samples as samples

WA = samples.WHATSAPP_TEXT
CONTACT = "whatsapp:+6281234567890"


START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@contextmanager
def clock_from(start: datetime) -> Iterator[Callable[[timedelta], None]]:
    """The service clock at `start`; `later(delta)` moves it on; the real clock again afterwards."""
    from aduan.logic import clock

    clock.set_clock(lambda: start)
    try:
        yield lambda delta: clock.set_clock(lambda: start + delta)
    finally:
        clock.set_clock(None)


def tickets_of(api: Api, reporter: str) -> list[dict[str, Any]]:
    from aduan.dal.tickets import TicketRepository

    found, _ = TicketRepository(_table()).by_reporter(reporter, 20, None)
    return [ticket.model_dump(mode="json") for ticket in found]


def _table() -> str:
    import os

    return os.environ["TABLE_NAME"]


def contact(identity: str) -> Any:
    from aduan.dal.contacts import ContactRepository

    return ContactRepository(_table()).get(identity)


# ------------------------------------------------------------------ signatures


@pytest.mark.parametrize("channel,payload", [("whatsapp", WA), ("telegram", samples.TELEGRAM_TEXT)])
def test_a_correctly_signed_delivery_is_stored_and_queued(channels: Channels, channel: str,
                                                         payload: dict[str, Any]) -> None:
    answer = channels.post(channel, payload)
    assert answer.status == 200 and answer.json() == {"status": "accepted"}
    assert len(channels.objects(f"raw/{channel}/")) == 1
    queued = channels.queued()
    assert len(queued) == 1
    assert queued[0]["Attributes"]["MessageGroupId"].startswith(f"{channel}:")


FORGERIES = {
    "whatsapp": [
        {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"X-Hub-Signature-256": samples.meta_signature("not-the-app-secret", samples.body_bytes(WA))},
        {"X-Hub-Signature-256": ""},
    ],
    "telegram": [
        {"X-Telegram-Bot-Api-Secret-Token": "guessed-token"},
        {"X-Telegram-Bot-Api-Secret-Token": ""},
    ],
}


@pytest.mark.parametrize("channel,forged", [(c, f) for c, fs in FORGERIES.items() for f in fs])
def test_a_forged_or_unsigned_delivery_is_refused_and_nothing_is_stored(channels: Channels, channel: str,
                                                                      forged: dict[str, str],
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    payload = WA if channel == "whatsapp" else samples.TELEGRAM_TEXT
    answer = channels.post(channel, payload, headers=forged)
    assert '"WebhookSignatureRejected":[1.0]' in capsys.readouterr().out  # the EMF metric
    assert answer.status in (401, 403)
    assert answer.json()["error"]["code"] == "invalid_signature"
    assert channels.objects("") == [] and channels.queued() == []


def test_a_tampered_body_fails_the_signature_of_the_original(channels: Channels) -> None:
    body = samples.body_bytes(WA)
    headers = samples.signed_headers("whatsapp", body, "")
    tampered = body.replace(b"Pandanaran", b"Pemuda")
    answer = channels.call(samples.api_event("POST", "whatsapp", tampered, headers))
    assert answer.status == 401 and channels.queued() == []


def test_the_meta_handshake_echoes_the_challenge_only_for_our_verify_token(channels: Channels) -> None:
    good = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "dev-whatsapp-verify-token"}
    answer = channels.get("whatsapp", good)
    assert (answer.status, answer.body) == (200, "1158201444")
    assert channels.get("whatsapp", {**good, "hub.verify_token": "wrong"}).status == 403
    assert channels.get("telegram", {}).status == 405


def test_an_unknown_channel_is_404(channels: Channels) -> None:
    answer = channels.post("whatsapp", WA)
    assert answer.status == 200
    unknown = channels.call(samples.api_event("POST", "pigeon", b"{}", {"Content-Type": "application/json"}))
    assert unknown.status == 404 and unknown.json()["error"]["code"] == "not_found"


# ------------------------------------------------------------------ malformed payloads


@pytest.mark.parametrize("channel,body", [
    ("whatsapp", b"{not json"),
    ("whatsapp", json.dumps({"object": "page", "entry": []}).encode()),
    ("whatsapp", samples.body_bytes(samples.whatsapp({"messages": [{"type": "text", "from": "62811"}]}))),
    ("telegram", json.dumps({"message": {"text": "no update id"}}).encode()),
])
def test_a_malformed_authentic_payload_is_acknowledged_and_quarantined(channels: Channels, channel: str,
                                                                      body: bytes) -> None:
    answer = channels.post(channel, body)
    assert answer.status == 200  # a 4xx/5xx would make the provider redeliver it forever
    reply = answer.json()
    assert reply["status"] == "quarantined" and reply["kept_as"].startswith(f"rejected/{channel}/")
    kept = boto3.client("s3").get_object(Bucket="aduan-inbound-test", Key=reply["kept_as"])
    assert kept["Body"].read() == body and kept["Metadata"]["reason"]
    assert channels.queued() == []


# ------------------------------------------------------------------ conversations


def test_text_photo_location_from_whatsapp_become_one_complaint_with_one_reply(channels: Channels, api: Api
                                                                              ) -> None:
    for payload in (WA, samples.WHATSAPP_IMAGE, samples.WHATSAPP_LOCATION):
        assert channels.deliver("whatsapp", payload) == {"batchItemFailures": []}
    [ticket] = tickets_of(api, CONTACT)
    assert ticket["channel"] == "whatsapp" and ticket["status"] == "received"
    assert ticket["reporter"] == {"ref": CONTACT, "name": "Sari Wulandari", "contact": "+6281234567890"}
    assert ticket["title"].startswith("Selamat pagi, ada lubang besar")
    assert ticket["location"]["lat"] == -6.9875 and "Pandanaran" in ticket["location"]["address"]
    timeline = api("GET", f"/v1/complaints/{ticket['tracking_code']}/timeline", who="verifier").body["items"]
    assert [entry["type"] for entry in timeline] == ["TicketCreated", "CommentAdded", "CommentAdded"]
    assert "Ini fotonya" in timeline[1]["note"]
    [reply] = channels.outbox()
    assert reply["kind"] == "intake_filed" and reply["tracking_code"] == ticket["tracking_code"]
    assert ticket["tracking_code"] in reply["text"] and reply["recipient"] == "+6281234567890"
    assert reply["language"] == "id" and reply["data"]["provider"] == "whatsapp"
    saved = contact(CONTACT)
    assert saved.address == "+6281234567890" and saved.display_name == "Sari Wulandari"
    assert saved.last_inbound_at is not None and saved.language == "id"
    desk = api("GET", "/v1/desk/complaints", who="verifier", query={"status": "received"}).body["items"]
    assert ticket["tracking_code"] in [item["tracking_code"] for item in desk]


def test_telegram_replies_go_to_the_chat_in_english_when_written_in_english(channels: Channels, api: Api) -> None:
    english = samples.telegram_update(734519999, {"message_id": 400, "text":
                                                  "The street light near my house is broken since last week, "
                                                  "please help"})
    channels.deliver("telegram", english)
    [ticket] = tickets_of(api, "telegram:5012345678")
    [reply] = channels.outbox()
    assert reply["recipient"] == "5012345678" and reply["language"] == "en"
    assert reply["text"].startswith("Thank you, Budi Santoso.") and ticket["tracking_code"] in reply["text"]


@pytest.mark.parametrize("channel,payload", [("whatsapp", WA), ("telegram", samples.TELEGRAM_TEXT)])
def test_the_same_provider_message_five_times_has_one_effect(channels: Channels, api: Api, channel: str,
                                                            payload: dict[str, Any]) -> None:
    for _ in range(5):
        assert channels.post(channel, payload).status == 200
    queued = channels.queued()
    assert len(queued) == 1  # FIFO deduplication within five minutes
    for _ in range(5):  # later redeliveries (hours, days) reach the worker: its ledger stops them
        assert channels.work([queued[0]]) == {"batchItemFailures": []}
    reporter = CONTACT if channel == "whatsapp" else "telegram:5012345678"
    assert len(tickets_of(api, reporter)) == 1
    assert len(channels.outbox()) == 1


def test_a_worker_that_died_after_the_effect_finishes_the_replies_on_redelivery(channels: Channels, api: Api
                                                                               ) -> None:
    from aduan.services import intake

    assert channels.post("whatsapp", WA).status == 200
    [queued] = channels.queued()
    with mock.patch.object(intake.IntakeService, "_follow_up", side_effect=TimeoutError()), \
            pytest.raises(BatchProcessingError):  # the whole (one-message) batch failed: Lambda retries it
        channels.work([queued])
    assert channels.outbox() == [] and len(tickets_of(api, CONTACT)) == 1
    assert channels.work([queued]) == {"batchItemFailures": []}
    assert len(tickets_of(api, CONTACT)) == 1 and len(channels.outbox()) == 1


def test_status_stop_and_start_commands(channels: Channels, api: Api) -> None:
    channels.deliver("whatsapp", WA)
    code = tickets_of(api, CONTACT)[0]["tracking_code"]
    for number, text in enumerate([f"CEK {code.lower()}", "STATUS ADU-0000-00", "BERHENTI", "MULAI"]):
        channels.deliver("whatsapp", samples.whatsapp_message(
            {"id": f"wamid.command{number}", "type": "text", "text": {"body": text}}))
    replies = [item["kind"] for item in channels.outbox()]
    assert replies == ["intake_filed", "intake_status", "intake_status_unknown", "stop_confirmation",
                       "intake_opted_in"]
    assert "diterima, menunggu verifikasi" in channels.outbox()[1]["text"]
    assert len(tickets_of(api, CONTACT)) == 1 and contact(CONTACT).opted_out is False


def test_stop_opts_the_contact_out(channels: Channels) -> None:
    channels.deliver("whatsapp", samples.whatsapp_message({"id": "wamid.stop", "type": "text",
                                                           "text": {"body": "STOP"}}))
    assert contact(CONTACT).opted_out is True


@pytest.mark.parametrize("answer,effect", [("1", "comment"), ("BARU", "new"), ("Satu lagi: got mampet", "new")])
def test_an_open_complaint_outside_the_window_asks_comment_or_new(channels: Channels, api: Api, answer: str,
                                                                   effect: str) -> None:
    with clock_from(START) as later:
        channels.deliver("whatsapp", WA)
        later(timedelta(hours=3))
        channels.deliver("whatsapp", samples.whatsapp_message({"id": "wamid.later", "type": "text",
                                                               "text": {"body": "Sampahnya juga belum diangkut"}}))
        assert channels.outbox()[-1]["kind"] == "intake_ask_comment_or_new"
        channels.deliver("whatsapp", samples.whatsapp_message({"id": "wamid.answer", "type": "text",
                                                               "text": {"body": answer}}))
    found = tickets_of(api, CONTACT)
    if effect == "comment":
        assert len(found) == 1 and channels.outbox()[-1]["kind"] == "intake_added"
        timeline = api("GET", f"/v1/complaints/{found[0]['tracking_code']}/timeline", who="verifier").body["items"]
        assert "Sampahnya juga belum diangkut" in timeline[-1]["note"]
    else:
        assert len(found) == 2 and channels.outbox()[-1]["kind"] == "intake_filed"
        assert found[0]["title"] == "Sampahnya juga belum diangkut"


# ------------------------------------------------------------------ delivery statuses


def test_a_whatsapp_status_callback_is_published_not_filed(channels: Channels, api: Api) -> None:
    events = boto3.client("events")
    sqs = boto3.client("sqs")
    tap = sqs.create_queue(QueueName="status-tap")["QueueUrl"]
    tap_arn = sqs.get_queue_attributes(QueueUrl=tap, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="tap", EventBusName="aduan-test", EventPattern=json.dumps({"source": ["aduan.channels"]}))
    events.put_targets(Rule="tap", EventBusName="aduan-test", Targets=[{"Id": "q", "Arn": tap_arn}])
    # Meta echoes the reference we sent the message with; its "sent" repeats what the sender recorded.
    [delivered] = samples.WHATSAPP_STATUS["entry"][0]["changes"][0]["value"]["statuses"]
    echoed = {**delivered, "biz_opaque_callback_data": '{"t":"ADU-TEST-01"}'}
    payload = samples.whatsapp({"statuses": [{**echoed, "status": "sent"}, echoed]})
    assert channels.post("whatsapp", payload).status == 200
    assert channels.queued() == []
    [message] = sqs.receive_message(QueueUrl=tap, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    event = json.loads(message["Body"])
    assert event["detail-type"] == "DeliveryStatusReported"
    assert event["detail"] == {
        "channel": "whatsapp", "provider_message_id": delivered["id"],
        "status": "delivered", "error_code": None, "error_title": None,
        "occurred_at": "2026-11-23T08:10:05.000000Z", "recipient": "+6281234567890",
        "reference": '{"t":"ADU-TEST-01"}'}


def test_reactions_and_service_messages_are_not_complaints(channels: Channels) -> None:
    reaction = samples.whatsapp_message({"id": "wamid.reaction", "type": "reaction",
                                         "reaction": {"message_id": "wamid.x", "emoji": "\U0001F44D"}})
    joined = {"update_id": 734519000, "message": {"message_id": 9, "date": samples.SAMPLE_TIME,
                                                  "from": {"id": 1, "is_bot": False, "first_name": "A"},
                                                  "chat": {"id": -100, "type": "group"},
                                                  "new_chat_members": [{"id": 2, "is_bot": False, "first_name": "B"}]}}
    assert channels.post("whatsapp", reaction).status == 200
    assert channels.post("telegram", joined).status == 200
    assert channels.queued() == []


def test_a_poison_message_fails_alone_and_its_senders_later_messages_wait(channels: Channels, api: Api) -> None:
    from channels_harness import Context

    from aduan.handlers.intake import handler

    good = samples.intake_samples()["telegram_text_photo_location"]["Records"][0]
    poison = samples.sqs_record('{"not": "an inbound message"}', "whatsapp:+6281111111111", "poison", 1)
    later = samples.sqs_record(json.dumps({**json.loads(good["body"]), "sender": "+6281111111111"}),
                               "whatsapp:+6281111111111", "later", 2)
    result = handler({"Records": [good, poison, later]}, Context())
    # The poison message is retried (then dead-lettered); the same sender's next message waits behind it,
    # another sender's message is handled.
    assert [item["itemIdentifier"] for item in result["batchItemFailures"]] == [poison["messageId"],
                                                                              later["messageId"]]
    assert len(tickets_of(api, "telegram:5012345678")) == 1


def test_the_citizens_answer_to_a_request_for_information_resumes_the_complaint(channels: Channels,
                                                                                 api: Api) -> None:
    with clock_from(START) as later:
        channels.deliver("whatsapp", WA)
        code = tickets_of(api, CONTACT)[0]["tracking_code"]
        steps = [("verifier", "verify", 1, {}), ("verifier", "assign", 2, {"agency_id": "dpu"}),
                 ("dpu", "accept", 3, {}), ("dpu", "request_info", 4, {"note": "Mohon kirim titik lokasinya"})]
        for who, action, version, extra in steps:
            assert api.act(who, code, action, version, **extra).status == 200
        later(timedelta(hours=5))
        channels.deliver("whatsapp", samples.WHATSAPP_LOCATION)
    [ticket] = tickets_of(api, CONTACT)
    assert ticket["status"] == "accepted" and ticket["location"]["lat"] == -6.9875
    assert channels.outbox()[-1]["kind"] == "intake_added"


def test_a_blocked_sender_is_answered_politely_and_nothing_is_filed(channels: Channels, api: Api) -> None:
    blocked = api("POST", "/v1/blocked-senders", {"sender_ref": CONTACT, "reason": "Spam berulang"}, who="supervisor")
    assert blocked.status == 201
    assert channels.deliver("whatsapp", WA) == {"batchItemFailures": []}
    assert tickets_of(api, CONTACT) == []
    [reply] = channels.outbox()
    assert reply["kind"] == "intake_refused" and reply["recipient"] == "+6281234567890"
    assert "tidak dapat kami terima" in reply["text"] and reply["tracking_code"] is None
    api("POST", "/v1/blocked-senders/unblock", {"sender_ref": CONTACT}, who="supervisor")
    channels.deliver("whatsapp", samples.whatsapp_message({"id": "wamid.after-unblock", "type": "text",
                                                           "text": {"body": "Lampu PJU di gang kami mati total"}}))
    assert len(tickets_of(api, CONTACT)) == 1


def test_a_sender_over_the_hourly_limit_gets_the_limit_reply(channels: Channels, api: Api) -> None:
    from aduan.logic import clock
    from aduan.wiring import abuse_guard

    guard = abuse_guard()
    limit = guard.limits().per_hour
    for _ in range(limit):  # this hour's earlier complaints, from any path
        assert guard.admit(CONTACT, clock.now()).allowed
    assert channels.deliver("whatsapp", WA) == {"batchItemFailures": []}
    assert tickets_of(api, CONTACT) == []
    [reply] = channels.outbox()
    assert reply["kind"] == "intake_refused" and "menit" in reply["text"]


def worker_calls(channels: Channels, payload: dict[str, Any] | None = None,
                 queued: list[dict[str, Any]] | None = None) -> list[str]:
    """The AWS calls the intake worker makes for one message (posted now, or one received before)."""
    from botocore.client import BaseClient

    if queued is None:
        assert payload is not None and channels.post("whatsapp", payload).status == 200
        queued = channels.queued()
    calls: list[str] = []
    original = BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        calls.append(operation)
        return original(client, operation, params)

    with mock.patch.object(BaseClient, "_make_api_call", counted):
        assert channels.work(queued) == {"batchItemFailures": []}
    calls.remove("DeleteMessage")  # the harness acknowledging the message, as Lambda does
    return calls


def test_the_intake_worker_files_a_whatsapp_complaint_in_few_aws_calls(channels: Channels, api: Api) -> None:
    """Issue #11: at most 5 AWS calls per message (13 before the issue, then 9)."""
    assert channels.post("whatsapp", WA).status == 200
    first = channels.queued()
    # One BatchGetItem for all it knows (ledger, contact, conversation, block list entry, rate counters), the
    # city configuration's Query (a cold worker only), one transaction for the complaint with the ledger
    # entry, contact, conversation and rate counter, the reply, the ledger's `done`.
    calls = worker_calls(channels, queued=first)
    assert calls == ["BatchGetItem", "Query", "TransactWriteItems", "SendMessage", "UpdateItem"], calls
    [ticket] = tickets_of(api, CONTACT)
    assert ticket["channel"] == "whatsapp" and len(channels.outbox()) == 1
    # A follow-up within the grouping window: the read, the complaint's read, one transaction (no reply, so
    # the ledger entry is written done).
    more = samples.whatsapp_message({"id": "wamid.more", "type": "text", "text": {"body": "Sudah dua minggu"}})
    assert worker_calls(channels, more) == ["BatchGetItem", "Query", "TransactWriteItems"]
    # A photo in the window: the same, the photo's safe copy to S3, its record written with the `done` mark.
    assert worker_calls(channels, samples.WHATSAPP_IMAGE) == ["BatchGetItem", "Query", "TransactWriteItems",
                                                              "PutObject", "TransactWriteItems"]
    assert len(api("GET", f"/v1/complaints/{ticket['tracking_code']}", who="verifier").body["attachments"]) == 1
    # A redelivered message: the read finds its ledger entry done; nothing is filed or sent twice.
    assert worker_calls(channels, queued=first) == ["BatchGetItem"]
    assert len(tickets_of(api, CONTACT)) == 1 and len(channels.outbox()) == 1
    # A command: the read, the ledger entry with the contact's opt-out, the reply, `done`.
    stop = samples.whatsapp_message({"id": "wamid.stop", "type": "text", "text": {"body": "STOP"}})
    assert len(worker_calls(channels, stop)) == 4 and contact(CONTACT).opted_out is True


@pytest.mark.parametrize("stored_before", [False, True])
def test_an_open_complaint_is_found_from_the_conversation_not_the_reporter_index(channels: Channels, api: Api,
                                                                                  stored_before: bool) -> None:
    """The conversation keeps the contact's recent complaint codes: one BatchGetItem reads them, no Query. A
    conversation stored before the codes were kept asks the reporter index once, and keeps them from then on."""
    with clock_from(START) as later:
        channels.deliver("whatsapp", WA)
        if stored_before:
            boto3.client("dynamodb").update_item(
                TableName=_table(), Key={"pk": {"S": f"C#{CONTACT}"}, "sk": {"S": "#CONV"}},
                UpdateExpression="REMOVE open_codes")
        later(timedelta(hours=3))
        outside = samples.whatsapp_message({"id": "wamid.later", "type": "text",
                                            "text": {"body": "Sampahnya juga belum diangkut"}})
        calls = worker_calls(channels, outside)
        assert channels.outbox()[-1]["kind"] == "intake_ask_comment_or_new"
        later(timedelta(hours=4))
        assert worker_calls(channels, samples.whatsapp_message({"id": "wamid.answer", "type": "text",
                                                                "text": {"body": "BARU"}})) == [
            "BatchGetItem", "TransactWriteItems", "SendMessage", "UpdateItem"]  # the held message filed
    lookup = ["Query", "BatchGetItem"] if stored_before else ["BatchGetItem"]  # the index, then the heads
    assert calls == ["BatchGetItem", *lookup, "TransactWriteItems", "SendMessage", "UpdateItem"], calls
    assert len(tickets_of(api, CONTACT)) == 2
    assert channels.outbox()[-1]["kind"] == "intake_filed"
