"""Replies leave through the provider the citizen wrote to, and identities are normalised once:
real Twilio WhatsApp form posts (phone and username/BSUID senders) and a real Meta Cloud API payload,
through the signed webhook, the intake worker and the sender."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlencode

import boto3
import pytest
from channels_harness import Channels, channels_fixture  # noqa: F401 - the `channels` fixture

from aduan.adapters.senders.base import ProviderRequest, Reply
from aduan.models.outbound import OutboundMessage
from infra import channel_samples as samples
from tests.integration.conftest import TABLES

TABLE = TABLES["TicketsTable"]
BSUID = "US.13491208655302741918"
TWILIO_WHATSAPP_USERNAME = [
    ("SmsMessageSid", "SM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"), ("NumMedia", "0"), ("ProfileName", "Dewi"),
    ("MessageType", "text"), ("SmsSid", "SM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"), ("SmsStatus", "received"),
    ("Body", "Lampu jalan mati total di Jl. Pemuda sejak tiga hari"), ("To", "whatsapp:+14155238886"),
    ("NumSegments", "1"), ("ReferralNumMedia", "0"), ("MessageSid", "SM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"),
    ("AccountSid", samples.TWILIO_ACCOUNT), ("From", f"whatsapp:{BSUID}"), ("ExternalUserId", f"whatsapp:{BSUID}"),
    ("ApiVersion", "2010-04-01"),
]


def post_twilio(channels: Channels, form: list[tuple[str, str]]) -> None:
    url = f"{samples.SAMPLE_BASE_URL}/webhooks/twilio"
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": samples.twilio_signature("dev-twilio-auth-token", url, form)}
    assert channels.call(samples.api_event("POST", "twilio", urlencode(form).encode(), headers)).status == 200
    channels.work()


def deliver(replies: list[dict[str, Any]]) -> list[ProviderRequest]:
    """Send the intake replies through the real sender with a recording provider."""
    from aduan.dal import template_store
    from aduan.dal.contacts import ContactRepository
    from aduan.dal.deliveries import DeliveryRepository
    from aduan.dal.tickets import TicketRepository
    from aduan.services.delivery import DeliveryService

    sent: list[ProviderRequest] = []

    def transport(request: ProviderRequest) -> Reply:
        sent.append(request)
        return Reply(201, {"sid": "SM-reply"} if request.provider == "twilio" else {"messages": [{"id": "wamid.R"}]})

    template_store.clear_cache()
    service = DeliveryService(
        deliveries=DeliveryRepository(TABLE), tickets=TicketRepository(TABLE), contacts=ContactRepository(TABLE),
        config=lambda: template_store.load_templates(TABLE), port=lambda: None,  # type: ignore[arg-type,return-value]
        credentials=lambda name: {"account_sid": "AC1", "auth_token": "tok", "from_number": "+14155238886",
                                  "whatsapp_content_sid": "HXb5b62575e6e4ff6129ad7c8efe1f983e",
                                  "access_token": "t", "phone_number_id": "106540352242922"},
        transport=transport, sleep=lambda seconds: None)
    for reply in replies:
        message = OutboundMessage.model_validate(reply)
        outcome = service.deliver(message)
        assert outcome == "sent", ([r.body for r in sent], DeliveryRepository(TABLE).status(message))
    return sent


@pytest.mark.parametrize(("form", "address"), [(samples.TWILIO_WHATSAPP_IMAGE, "+6281398760000"),
                                                (TWILIO_WHATSAPP_USERNAME, BSUID)])
def test_twilio_whatsapp_is_answered_through_twilio(channels: Channels, api: Any, form: list[tuple[str, str]],
                                                    address: str) -> None:
    from aduan.dal.contacts import ContactRepository

    post_twilio(channels, form)
    contact = ContactRepository(TABLE).get(f"whatsapp:{address}")
    assert contact is not None and contact.address == address and contact.provider == "twilio"
    [reply] = channels.outbox()
    assert reply["recipient"] == address and reply["channel"] == "whatsapp"
    [request] = deliver([reply])
    assert request.provider == "twilio" and request.url.endswith("/Accounts/AC1/Messages.json")
    sent = {key: values[0] for key, values in parse_qs(request.body).items()}
    assert sent["To"] == f"whatsapp:{address}" and sent["From"] == "whatsapp:+14155238886"
    assert "whatsapp:whatsapp:" not in request.body
    # The sample was received days before "now": outside the 24-hour window only the approved template goes.
    assert sent["ContentSid"] == "HXb5b62575e6e4ff6129ad7c8efe1f983e" and "Body" not in sent
    assert set(json.loads(sent["ContentVariables"])) == {"1", "2", "3"}  # the template's parameters, in order


def test_meta_whatsapp_is_answered_through_meta(channels: Channels, api: Any) -> None:
    channels.deliver("whatsapp", samples.WHATSAPP_TEXT)
    [reply] = channels.outbox()
    [request] = deliver([reply])
    assert request.provider == "whatsapp" and request.url.endswith("/106540352242922/messages")
    assert json.loads(request.body)["to"] == "+6281234567890"
    # The reply is claimed and logged as one entry, right after the complaint's creation on its timeline
    # (its place comes from the stored intake outcome, the same on a redelivery): no DLV# record.
    assert json.loads(request.body)["biz_opaque_callback_data"]  # WhatsApp statuses will name it
    items = boto3.client("dynamodb").query(
        TableName=TABLE, KeyConditionExpression="pk = :pk AND begins_with(sk, :ev)",
        ExpressionAttributeValues={":pk": {"S": f"T#{reply['tracking_code']}"}, ":ev": {"S": "EV#"}})["Items"]
    assert [item["event_type"]["S"] for item in items] == ["TicketCreated", "NotificationRecorded"]
    assert items[1]["status"]["S"] == "sent" and items[1]["data"]["M"]["kind"]["S"] == "intake_filed"
    assert not boto3.client("dynamodb").get_item(TableName=TABLE, Key={
        "pk": {"S": f"DLV#{reply['id']}"}, "sk": {"S": "#DELIVERY"}}).get("Item")


def test_a_username_only_meta_sender_is_stored_by_its_bsuid(channels: Channels, api: Any) -> None:
    payload = samples.whatsapp({
        "contacts": [{"profile": {"name": "Dewi", "username": "@dewi"}, "user_id": BSUID}],
        "messages": [{"from_user_id": BSUID, "id": "wamid.HBgLVVMuMTM0OTEyMDg2NTUzMDI3NDE5MTgVAgASGBQzQUE",
                      "timestamp": str(samples.SAMPLE_TIME), "type": "text",
                      "text": {"body": "Sampah menumpuk di pinggir Kali Semarang"}}]})
    channels.deliver("whatsapp", payload)
    [reply] = channels.outbox()
    assert reply["recipient"] == BSUID and reply["contact_id"] == f"whatsapp:{BSUID}"
