"""Twilio (SMS and WhatsApp), Messenger, Instagram and the generic gateway webhook: known-good and
forged signatures, exactly once under redelivery, statuses, malformed payloads."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from unittest import mock
from urllib.parse import urlencode

import boto3
import pytest
from channels_harness import Answer, Channels, channels_fixture  # noqa: F401 - the `channels` fixture

from conftest import Api
from infra import channel_samples as samples

Post = Callable[[Channels], Answer]


def twilio(form: list[tuple[str, str]], url: str | None = None, token: str | None = None,
           sent: list[tuple[str, str]] | None = None) -> Post:
    """Signed over `form`; `sent` (default: the same form) is what actually arrives."""
    def post(channels: Channels) -> Answer:
        body = urlencode(sent or form).encode()
        signed_url = url or f"{samples.SAMPLE_BASE_URL}/webhooks/twilio"
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": samples.twilio_signature(token or "dev-twilio-auth-token", signed_url, form)}
        return channels.call(samples.api_event("POST", "twilio", body, headers))
    return post


def meta(channel: str, payload: dict[str, Any], secret: str | None = None) -> Post:
    def post(channels: Channels) -> Answer:
        body = samples.body_bytes(payload)
        signature = samples.meta_signature(secret or f"dev-{channel}-app-secret", body)
        return channels.call(samples.api_event("POST", channel, body, {
            "Content-Type": "application/json", "X-Hub-Signature-256": signature}))
    return post


def generic(payload: dict[str, Any], integration: str = "sms-gateway", timestamp: int = samples.SAMPLE_TIME,
            secrets: dict[str, Any] | None = None) -> Post:
    def post(channels: Channels) -> Answer:
        body = samples.body_bytes(payload)
        headers = samples.generic_headers(integration, body, timestamp, secrets)
        return channels.call(samples.api_event("POST", "generic", body, headers))
    return post


def signed(channel: str, payload: dict[str, Any], tamper: Callable[[bytes], bytes] | None = None) -> Post:
    """Signed as the provider signs `payload` (see infra.channel_samples); `tamper` changes the body after."""
    def post(channels: Channels) -> Answer:
        body = samples.body_bytes(payload)
        headers = samples.signed_headers(channel, body, "")
        return channels.call(samples.api_event("POST", channel, tamper(body) if tamper else body, headers))
    return post


def resigned_email(**changes: str) -> dict[str, Any]:
    return samples.sns_envelope(samples.EMAIL_INLINE["Message"], **changes)


UNKNOWN_GENERIC = {"generic": {"integrations": {"unknown": "x"}}}
FORGED_GENERIC = {"generic": {"integrations": {"sms-gateway": "stolen-or-guessed"}}}
CASES: dict[str, tuple[Post, list[Post], str, str]] = {
    # channel: (good request, forged requests, reporter contact id, reply recipient)
    "twilio_sms": (twilio(samples.TWILIO_SMS),
                   [twilio(samples.TWILIO_SMS, token="wrong-token"),
                    twilio(samples.TWILIO_SMS, url="https://evil.example/webhooks/twilio"),
                    twilio(samples.TWILIO_SMS, sent=[*samples.TWILIO_SMS, ("Body", "ubah isi")])],
                   "sms:+6281398765432", "+6281398765432"),
    "twilio_whatsapp": (twilio(samples.TWILIO_WHATSAPP_IMAGE), [twilio(samples.TWILIO_WHATSAPP_IMAGE, token="x")],
                        "whatsapp:+6281398760000", "+6281398760000"),
    "messenger": (meta("messenger", samples.MESSENGER_TEXT),
                  [meta("messenger", samples.MESSENGER_TEXT, secret="dev-whatsapp-app-secret")],
                  "messenger:6789012345678901", "6789012345678901"),
    "instagram": (meta("instagram", samples.INSTAGRAM_IMAGE), [meta("instagram", samples.INSTAGRAM_IMAGE, "x")],
                  "instagram:7012345678901234", "7012345678901234"),
    "generic": (generic(samples.GENERIC_SMS),
                [generic(samples.GENERIC_SMS, secrets=FORGED_GENERIC),
                 generic(samples.GENERIC_SMS, "unknown", secrets=UNKNOWN_GENERIC),
                 generic(samples.GENERIC_SMS, timestamp=samples.SAMPLE_TIME - 3600)],
                "sms:+6281234500001", "+6281234500001"),
    "email": (signed("email", samples.EMAIL_INLINE),
              [signed("email", samples.EMAIL_INLINE, tamper=lambda body: body.replace(b"Trotoar", b"Jalan")),
               signed("email", resigned_email(TopicArn="arn:aws:sns:ap-southeast-3:999999999999:someone-else")),
               signed("email", resigned_email(
                   SigningCertURL="https://sns.ap-southeast-3.amazonaws.com.evil.example/cert.pem"))],
              "email:dewi.lestari@example.co.id", "dewi.lestari@example.co.id"),
    "x_dm": (signed("x", samples.X_DM), [signed("x", samples.X_DM, tamper=lambda body: body + b" ")],
             "x:987654321", "987654321"),
    "x_mention": (signed("x", samples.X_MENTION), [signed("x", samples.X_MENTION, tamper=lambda b: b[:-1] + b" }")],
                  "x:555000111", "555000111"),
}


def tickets_of(reporter: str) -> list[Any]:
    import os

    from aduan.dal.tickets import TicketRepository

    return TicketRepository(os.environ["TABLE_NAME"]).by_reporter(reporter, 20, None)[0]


@pytest.mark.parametrize("case", CASES)
def test_forged_requests_are_refused_and_store_nothing(channels: Channels, case: str) -> None:
    _, forgeries, _, _ = CASES[case]
    for forged in forgeries:
        answer = forged(channels)
        assert answer.status in (401, 403), answer.body
        assert answer.json()["error"]["code"] == "invalid_signature"
    assert channels.objects("") == [] and channels.queued() == []


@pytest.mark.parametrize("case", CASES)
def test_a_good_request_delivered_five_times_files_one_complaint_and_one_reply(channels: Channels, api: Api,
                                                                                 case: str) -> None:
    good, _, reporter, recipient = CASES[case]
    for _ in range(5):
        answer = good(channels)
        assert answer.status == 200, answer.body
    queued = channels.queued()
    assert len(queued) == 1
    for _ in range(3):
        assert channels.work(queued) == {"batchItemFailures": []}
    [ticket] = tickets_of(reporter)
    [reply] = channels.outbox()
    assert reply["recipient"] == recipient and reply["tracking_code"] == ticket.tracking_code
    assert ticket.tracking_code in reply["text"]


def test_twilio_answers_with_empty_twiml(channels: Channels) -> None:
    answer = twilio(samples.TWILIO_SMS)(channels)
    assert answer.content_type == "text/xml" and "<Response></Response>" in answer.body


def test_twilio_signature_accepts_the_url_with_its_default_port(channels: Channels) -> None:
    url = samples.SAMPLE_BASE_URL.replace(".com/", ".com:443/") + "/webhooks/twilio"
    assert twilio(samples.TWILIO_SMS, url=url)(channels).status == 200


def test_twilio_media_and_profile_name_are_kept(channels: Channels) -> None:
    twilio(samples.TWILIO_WHATSAPP_IMAGE)(channels)
    [queued] = channels.queued()
    message = json.loads(queued["Body"])
    assert message["channel"] == "whatsapp" and message["sender_name"] == "Rina"
    assert message["media"][0]["ref"].startswith("https://api.twilio.com/") and message["provider"] == "twilio"


def test_twilio_status_callback_is_published_as_failed(channels: Channels) -> None:
    sqs, events = boto3.client("sqs"), boto3.client("events")
    tap = sqs.create_queue(QueueName="status-tap")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=tap, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="tap", EventBusName="aduan-test", EventPattern=json.dumps({"source": ["aduan.channels"]}))
    events.put_targets(Rule="tap", EventBusName="aduan-test", Targets=[{"Id": "q", "Arn": arn}])
    assert twilio(samples.TWILIO_STATUS)(channels).status == 200
    assert channels.queued() == []
    detail = json.loads(sqs.receive_message(QueueUrl=tap)["Messages"][0]["Body"])["detail"]
    assert detail["status"] == "failed" and detail["error_code"] == "30003" and detail["channel"] == "sms"
    assert detail["provider_message_id"] == "SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"


def test_messenger_echoes_and_reads_are_not_complaints(channels: Channels) -> None:
    echo = samples.messenger_event("page", "109876543210987",
                                   {"mid": "m_echo", "text": "Terima kasih", "is_echo": True})
    echo["entry"][0]["messaging"].append({"sender": {"id": "6789012345678901"}, "recipient": {"id": "1"},
                                          "timestamp": 1, "read": {"watermark": 1}})
    assert meta("messenger", echo)(channels).status == 200
    assert channels.queued() == [] and channels.objects("raw/") == []


@pytest.mark.parametrize("payload", [
    {"id": "x", "channel": "sms", "sender": {"address": "0812"}, "unknown_field": 1},
    {"id": "x", "channel": "fax", "sender": {"address": "0812"}},
    {"channel": "sms", "sender": {"address": "0812"}},
])
def test_a_generic_payload_outside_the_schema_is_acknowledged_and_quarantined(channels: Channels,
                                                                             payload: dict[str, Any]) -> None:
    answer = generic(payload)(channels)
    assert answer.status == 200 and answer.json()["status"] == "quarantined"
    assert channels.objects("rejected/generic/") and channels.queued() == []


def test_email_text_and_attachments_come_from_the_mime(channels: Channels) -> None:
    signed("email", samples.EMAIL_INLINE)(channels)
    [queued] = channels.queued()
    message = json.loads(queued["Body"])
    assert message["subject"] == "Trotoar rusak di Jl. Pemuda" and message["sender_name"] == "Dewi Lestari"
    assert message["text"].startswith("Yth. Pemkot Semarang") and "Lawang Sewu" in message["text"]
    [photo] = message["media"]
    assert (photo["ref"], photo["mime_type"], photo["filename"]) == ("mime:0", "image/jpeg", "trotoar.jpg")
    assert message["extra"]["message_id"] == "<CAF1r2s3t4u5v6w7x8y9z0@mail.example.co.id>"


def test_email_stored_by_the_ses_s3_action_is_read_by_the_worker(channels: Channels) -> None:
    boto3.client("s3").put_object(Bucket="aduan-inbound-test", Key="email/o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1",
                                  Body=samples.EMAIL_MIME.encode())
    assert signed("email", samples.EMAIL_S3)(channels).status == 200
    channels.work()
    [ticket] = tickets_of("email:dewi.lestari@example.co.id")
    assert ticket.title == "Trotoar rusak di Jl. Pemuda" and "Lawang Sewu" in ticket.text
    [reply] = channels.outbox()
    assert reply["subject"] == "Re: Trotoar rusak di Jl. Pemuda"
    assert reply["data"]["email_message_id"] == "<CAF1r2s3t4u5v6w7x8y9z0@mail.example.co.id>"


def test_an_sns_subscription_is_confirmed_once_verified(channels: Channels) -> None:
    from aduan.services import webhooks

    with mock.patch.object(webhooks, "confirm_subscription") as confirm:
        assert signed("email", samples.EMAIL_SUBSCRIPTION)(channels).status == 200
    confirm.assert_called_once_with(samples.EMAIL_SUBSCRIPTION["SubscribeURL"])
    assert channels.queued() == []


def test_failed_virus_verdict_mail_is_not_a_complaint(channels: Channels) -> None:
    notification = samples.ses_notification({"type": "SNS", "topicArn": samples.EMAIL_TOPIC, "encoding": "UTF8"},
                                            samples.EMAIL_MIME)
    notification["receipt"]["virusVerdict"] = {"status": "FAIL"}
    assert signed("email", samples.sns_envelope(json.dumps(notification)))(channels).status == 200
    assert channels.queued() == []


def test_the_x_crc_challenge(channels: Channels) -> None:
    import base64
    import hashlib
    import hmac

    answer = channels.get("x", {"crc_token": "NDU2OTk5NTk1MTQ4MjQ0NjQ0OA"})
    expected = base64.b64encode(hmac.new(b"dev-x-consumer-secret", b"NDU2OTk5NTk1MTQ4MjQ0NjQ0OA",
                                         hashlib.sha256).digest()).decode()
    assert answer.status == 200 and answer.json() == {"response_token": f"sha256={expected}"}


def test_our_own_x_messages_are_not_complaints(channels: Channels) -> None:
    echo = json.loads(json.dumps(samples.X_DM))
    echo["direct_message_events"][0]["message_create"]["sender_id"] = samples.X_ACCOUNT
    assert signed("x", echo)(channels).status == 200
    assert channels.queued() == []
