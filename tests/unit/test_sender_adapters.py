"""Each provider adapter builds the request the provider documents, and reads its answers.

HTTP providers are checked field by field against their documented APIs (Graph API
`/{phone-number-id}/messages`, Telegram `sendMessage`, Twilio `Messages.json` form fields, Meta Send
API, X API v2 `dm_conversations/with/{participant_id}/messages`); AWS calls are validated against
botocore's own service models (SES v2 `SendEmail`, SNS `Publish`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import botocore.session
import pytest
from botocore.validate import ParamValidator

from aduan.adapters.senders.base import Credentials, Reply, SendContext, within_window
from aduan.adapters.senders.registry import SENDERS, provider_for
from aduan.logic import clock
from aduan.models.contact import Contact
from aduan.models.outbound import OutboundMessage
from aduan.models.templates import WhatsAppTemplate
from aduan.models.ticket import Channel

NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
TEMPLATE = WhatsAppTemplate(name="aduan_status_update", languages={"id": "id", "en": "en"},
                            parameters=["tracking_code", "status", "link"])


def message(channel: Channel, recipient: str, **fields: object) -> OutboundMessage:
    return OutboundMessage.model_validate({
        "id": "msg_1", "cause_id": "ev1", "kind": "TicketResolved", "channel": channel, "recipient": recipient,
        "text": "Aduan ADU-7K3Q-9G selesai.\nTanggapan: <b>beres</b> & rapi", "subject": "Aduan ADU-7K3Q-9G selesai",
        "tracking_code": "ADU-7K3Q-9G", "language": "id",
        "data": {"template_values": {"tracking_code": "ADU-7K3Q-9G", "status": "Selesai\n  ditindaklanjuti",
                                     "link": "https://x/ADU-7K3Q-9G"}}, **fields})


def contact(last_inbound: datetime | None) -> Contact:
    return Contact(id="whatsapp:+6281234567890", channel=Channel.WHATSAPP, address="+6281234567890",
                   last_inbound_at=last_inbound.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if last_inbound else None,
                   created_at="2026-11-01T00:00:00.000000Z", updated_at="2026-11-01T00:00:00.000000Z")


def build(provider: str, msg: OutboundMessage, creds: dict[str, str], seen: datetime | None = None):  # type: ignore[no-untyped-def]
    return SENDERS[provider].build(msg, Credentials(creds), SendContext(NOW, contact(seen), TEMPLATE))


WA_CREDS = {"access_token": "EAAG-secret", "phone_number_id": "106540352242922"}


def test_whatsapp_inside_the_24_hour_window_is_free_form_text() -> None:
    request = build("whatsapp", message(Channel.WHATSAPP, "+6281234567890"), WA_CREDS, NOW - timedelta(hours=23))
    assert (request.method, request.url) == ("POST", "https://graph.facebook.com/v21.0/106540352242922/messages")
    assert request.secret_headers == {"Authorization": "Bearer EAAG-secret"} and "EAAG" not in str(request.headers)
    assert json.loads(request.body) == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+6281234567890", "type": "text",
        "text": {"preview_url": False, "body": "Aduan ADU-7K3Q-9G selesai.\nTanggapan: <b>beres</b> & rapi"}}


def test_whatsapp_carries_our_reference_for_its_statuses_and_it_names_no_one() -> None:
    """Meta echoes `biz_opaque_callback_data` in every status of the message: the notifier logs the status from
    it alone. It names the ticket and the message, never the citizen; a foreign or forged one is not read."""
    from aduan.logic import delivery_log
    from aduan.models.events import TicketSnapshot

    sent = message(Channel.WHATSAPP, "+6281234567890", ticket_id="t-1", ticket_version=4,
                   data={"fallbacks": [{"channel": "telegram", "address": "5550001"}]})
    reference = delivery_log.reference(TicketSnapshot(id="t-1", tracking_code="ADU-7K3Q-9G", version=4), sent)
    request = SENDERS["whatsapp"].build(sent, Credentials(WA_CREDS),
                                        SendContext(NOW, contact(NOW), TEMPLATE, reference=reference))
    body = json.loads(request.body)
    assert body["biz_opaque_callback_data"] == reference and len(reference) <= 512
    assert "6281234567890" not in reference and "5550001" not in reference
    named = delivery_log.referenced(reference, "whatsapp")
    assert named is not None
    ticket, logged, falls_back = named
    assert (ticket.tracking_code, ticket.id, ticket.version) == ("ADU-7K3Q-9G", "t-1", 4) and falls_back
    assert (logged.id, logged.kind, logged.cause_id, logged.audience) == ("msg_1", "TicketResolved", "ev1", "citizen")
    for foreign in (None, "", "order-1234", '{"t": "ADU-7K3Q-9G"}', '{"t":"T#X\\u0000","i":"1","n":1,"m":"m",'
                    '"k":"k","c":"c","a":"citizen"}'):
        assert delivery_log.referenced(foreign, "whatsapp") is None
    plain = build("whatsapp", message(Channel.WHATSAPP, "+6281234567890"), WA_CREDS, NOW)
    assert "biz_opaque_callback_data" not in json.loads(plain.body)  # nothing to echo: not sent


@pytest.mark.parametrize("seen", [NOW - timedelta(hours=24), NOW - timedelta(days=3), None])
def test_whatsapp_outside_the_window_uses_the_approved_template(seen: datetime | None) -> None:
    body = json.loads(build("whatsapp", message(Channel.WHATSAPP, "+6281234567890"), WA_CREDS, seen).body)
    assert body["type"] == "template" and "text" not in body
    assert body["template"] == {"name": "aduan_status_update", "language": {"code": "id"}, "components": [
        {"type": "body", "parameters": [{"type": "text", "text": "ADU-7K3Q-9G"},
                                        {"type": "text", "text": "Selesai ditindaklanjuti"},  # no newlines/runs
                                        {"type": "text", "text": "https://x/ADU-7K3Q-9G"}]}]}


def test_window_edges() -> None:
    assert within_window(contact(NOW - timedelta(hours=23, minutes=59)), NOW)
    assert not within_window(contact(NOW - timedelta(hours=24)), NOW)
    assert not within_window(None, NOW)


def test_whatsapp_answers() -> None:
    sender = SENDERS["whatsapp"]
    sent = sender.interpret(Reply(200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.ABC"}]}))
    assert (sent.outcome, sent.provider_message_id) == ("sent", "wamid.ABC")
    assert sender.interpret(Reply(400, {"error": {"code": 131026, "message": "undeliverable"}})).outcome == "permanent"
    assert sender.interpret(Reply(400, {"error": {"code": 130429, "message": "rate"}})).outcome == "transient"
    assert sender.interpret(Reply(429, {"error": {"code": 130429}}, headers={"Retry-After": "7"})).retry_after == 7
    assert sender.interpret(Reply(503, {})).outcome == "transient"
    assert sender.interpret(Reply(0, {}, error_code="network")).outcome == "transient"


def test_telegram_send_message() -> None:
    request = build("telegram", message(Channel.TELEGRAM, "123456789"), {"bot_token": "123:SECRET"})
    assert request.url == "https://api.telegram.org/bot<bot_token>/sendMessage"
    assert request.secret_url == "https://api.telegram.org/bot123:SECRET/sendMessage"
    body = json.loads(request.body)
    assert body == {"chat_id": "123456789", "text": message(Channel.TELEGRAM, "1").text,
                    "link_preview_options": {"is_disabled": True}}  # no parse_mode: <b> stays text
    sender = SENDERS["telegram"]
    assert sender.interpret(Reply(200, {"ok": True, "result": {"message_id": 42}})).provider_message_id == "42"
    blocked = sender.interpret(Reply(403, {"ok": False, "error_code": 403,
                                           "description": "Forbidden: bot was blocked by the user"}))
    assert (blocked.outcome, blocked.error_code) == ("permanent", "403")
    flood = sender.interpret(Reply(429, {"ok": False, "error_code": 429, "parameters": {"retry_after": 3}}))
    assert (flood.outcome, flood.retry_after) == ("transient", 3.0)


def test_twilio_messages_form() -> None:
    creds = {"account_sid": "AC123", "auth_token": "tok", "from_number": "+15005550006",
             "status_callback_url": "https://api.example/v1/channels/twilio/status"}
    request = build("twilio", message(Channel.SMS, "+6281234567890"), creds)
    assert request.url == "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
    assert request.headers == {"Content-Type": "application/x-www-form-urlencoded"}
    assert request.secret_headers["Authorization"] == "Basic QUMxMjM6dG9r"  # AC123:tok
    form = {key: values[0] for key, values in parse_qs(request.body).items()}
    assert form == {"To": "+6281234567890", "From": "+15005550006", "Body": message(Channel.SMS, "x").text,
                    "StatusCallback": "https://api.example/v1/channels/twilio/status"}
    service = build("twilio", message(Channel.SMS, "+62811"), {**creds, "messaging_service_sid": "MG9"})
    assert "From" not in parse_qs(service.body) and parse_qs(service.body)["MessagingServiceSid"] == ["MG9"]
    sender = SENDERS["twilio"]
    assert sender.interpret(Reply(201, {"sid": "SM1", "status": "queued"})).provider_message_id == "SM1"
    assert sender.interpret(Reply(400, {"code": 21211, "message": "Invalid 'To'"})).outcome == "permanent"
    assert sender.interpret(Reply(429, {"code": 20429})).outcome == "transient"


@pytest.mark.parametrize(("provider", "channel"), [("messenger", Channel.MESSENGER), ("instagram", Channel.INSTAGRAM)])
def test_meta_send_api(provider: str, channel: Channel) -> None:
    creds = {"access_token": "PAGE", "page_id": "1122"}
    inside = json.loads(build(provider, message(channel, "PSID9"), creds, NOW - timedelta(hours=1)).body)
    assert inside == {"recipient": {"id": "PSID9"}, "message": {"text": message(channel, "x").text},
                      "messaging_type": "UPDATE"}
    outside = json.loads(build(provider, message(channel, "PSID9"), creds, None).body)
    if provider == "messenger":
        assert (outside["messaging_type"], outside["tag"]) == ("MESSAGE_TAG", "ACCOUNT_UPDATE")
    else:
        assert "tag" not in outside
    assert SENDERS[provider].interpret(Reply(200, {"recipient_id": "PSID9", "message_id": "m_1"})).outcome == "sent"
    failed = SENDERS[provider].interpret(Reply(400, {"error": {"code": 10, "message": "outside window"}}))
    assert failed.outcome == "permanent"


def test_x_direct_message_to_the_citizens_user_id() -> None:
    request = build("x", message(Channel.X, "2244994945"), {"user_access_token": "OAUTH2-USER", "consumer_secret": "c"})
    assert (request.method, request.url) == ("POST", "https://api.x.com/2/dm_conversations/with/2244994945/messages")
    assert request.secret_headers == {"Authorization": "Bearer OAUTH2-USER"} and "OAUTH2" not in str(request.headers)
    assert json.loads(request.body) == {"text": message(Channel.X, "x").text}
    with pytest.raises(KeyError):
        build("x", message(Channel.X, "2244994945"), {"consumer_secret": "c"})  # intake secret alone cannot send


def test_x_answers() -> None:
    sender = SENDERS["x"]
    sent = sender.interpret(Reply(201, {"data": {"dm_conversation_id": "1-2244994945", "dm_event_id": "1582"}}))
    assert (sent.outcome, sent.provider_message_id) == ("sent", "1582")
    closed = sender.interpret(Reply(403, {"title": "Forbidden", "type": "about:blank", "status": 403,
                                          "detail": "You are not permitted to send messages to this user."}))
    assert (closed.outcome, closed.error) == ("permanent", "You are not permitted to send messages to this user.")
    assert sender.interpret(Reply(401, {"title": "Unauthorized", "status": 401})).outcome == "permanent"
    assert sender.interpret(Reply(503, {"title": "Service Unavailable"})).outcome == "transient"
    clock.set_clock(lambda: NOW)
    try:
        reset = str(int(NOW.timestamp()) + 120)
        limited = sender.interpret(Reply(429, {"title": "Too Many Requests"}, headers={"x-rate-limit-reset": reset}))
    finally:
        clock.set_clock(None)
    assert (limited.outcome, limited.retry_after) == ("transient", 120.0)


def _validate(service: str, operation: str, params: dict[str, object]) -> None:
    model = botocore.session.get_session().get_service_model(service).operation_model(
        {"send_email": "SendEmail", "publish": "Publish"}[operation])
    report = ParamValidator().validate(params, model.input_shape)
    assert not report.has_errors(), report.generate_report()


def test_ses_v2_send_email_matches_the_service_model_and_escapes_html() -> None:
    request = build("ses", message(Channel.EMAIL, "dpu@semarangkota.go.id"), {"from_address": "aduan@kota.go.id"})
    assert request.aws_call is not None
    service, operation, params = request.aws_call
    assert (service, operation) == ("sesv2", "send_email")
    _validate(service, operation, params)
    simple = params["Content"]["Simple"]
    assert simple["Body"]["Text"]["Data"] == message(Channel.EMAIL, "x").text
    assert "&lt;b&gt;beres&lt;/b&gt; &amp; rapi" in simple["Body"]["Html"]["Data"]
    assert simple["Subject"] == {"Data": "Aduan ADU-7K3Q-9G selesai", "Charset": "UTF-8"}
    assert SENDERS["ses"].interpret(Reply(200, {"MessageId": "0100"})).provider_message_id == "0100"
    assert SENDERS["ses"].interpret(Reply(400, {}, error_code="MessageRejected")).outcome == "permanent"
    assert SENDERS["ses"].interpret(Reply(429, {}, error_code="TooManyRequestsException")).outcome == "transient"


def test_sns_sms_and_push_publish_match_the_service_model() -> None:
    sms = build("sns_sms", message(Channel.SMS, "+6281234567890"), {"sender_id": "PEMKOT"}).aws_call
    assert sms is not None and sms[2]["PhoneNumber"] == "+6281234567890"
    _validate(*sms)
    push = build("sns_push", message(Channel.APP, "arn:aws:sns:ap-southeast-3:1:endpoint/GCM/aduan/abc"), {}).aws_call
    assert push is not None
    _validate(*push)
    payload = json.loads(push[2]["Message"])
    assert push[2]["MessageStructure"] == "json" and set(payload) >= {"default", "GCM", "APNS"}
    assert json.loads(payload["GCM"])["fcmV1Message"]["message"]["notification"]["title"] == "Aduan ADU-7K3Q-9G selesai"
    assert SENDERS["sns_push"].interpret(Reply(400, {}, error_code="EndpointDisabled")).outcome == "permanent"


def test_every_sendable_channel_has_an_adapter() -> None:
    for channel in (Channel.WHATSAPP, Channel.TELEGRAM, Channel.SMS, Channel.EMAIL, Channel.APP, Channel.MESSENGER,
                    Channel.INSTAGRAM, Channel.X):
        assert provider_for(channel, "twilio") in SENDERS
    assert provider_for(Channel.SMS, "sns") == "sns_sms"


def test_replies_leave_through_the_provider_the_citizen_wrote_to() -> None:
    assert provider_for(Channel.WHATSAPP, "twilio", via="twilio") == "twilio"
    assert provider_for(Channel.WHATSAPP, "twilio", via="whatsapp") == "whatsapp"
    assert provider_for(Channel.WHATSAPP, "twilio") == "whatsapp"
    assert provider_for(Channel.SMS, "sns", via="twilio") == "twilio"
    assert provider_for(Channel.TELEGRAM, "twilio", via="twilio") == "telegram"  # twilio cannot send there


def test_twilio_whatsapp_prefixes_once_and_uses_the_content_template_outside_the_window() -> None:
    creds = {"account_sid": "AC123", "auth_token": "tok", "from_number": "+15005550006",
             "whatsapp_from": "whatsapp:+14155238886", "whatsapp_content_sid": "HX123"}
    inside = build("twilio", message(Channel.WHATSAPP, "+6281234567890"), creds, NOW - timedelta(hours=2))
    form = {key: values[0] for key, values in parse_qs(inside.body).items()}
    assert (form["To"], form["From"]) == ("whatsapp:+6281234567890", "whatsapp:+14155238886")
    assert form["Body"].startswith("Aduan ADU-7K3Q-9G selesai.") and "ContentSid" not in form
    outside = build("twilio", message(Channel.WHATSAPP, "whatsapp:US.13491208655302741918"), creds, None)
    form = {key: values[0] for key, values in parse_qs(outside.body).items()}
    assert form["To"] == "whatsapp:US.13491208655302741918" and "Body" not in form
    assert form["ContentSid"] == "HX123"
    assert json.loads(form["ContentVariables"]) == {"1": "ADU-7K3Q-9G", "2": "Selesai\n  ditindaklanjuti",
                                                    "3": "https://x/ADU-7K3Q-9G"}
    with pytest.raises(KeyError):
        build("twilio", message(Channel.WHATSAPP, "+6281234567890"), {**creds, "whatsapp_content_sid": ""}, None)
