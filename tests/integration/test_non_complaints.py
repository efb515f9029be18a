"""Messages that are not complaints, through the signed webhooks and the intake worker: a sticker, an
emoji-only ("reaction-only") or empty message get a prompt to describe the problem; an Instagram story
mention, a shared contact card and a catalogue order get a polite reply saying what the channel accepts.
None of them files a complaint."""

from __future__ import annotations

from typing import Any

import pytest
from channels_harness import Channels, channels_fixture  # noqa: F401 - the `channels` fixture

from infra import channel_samples as samples
from tests.integration.conftest import Api


def whatsapp(message: dict[str, Any]) -> dict[str, Any]:
    return samples.whatsapp_message({"id": f"wamid.{message['type']}{len(str(message))}", **message})


CASES = [
    ("whatsapp", whatsapp({"type": "sticker", "sticker": {"id": "2345678901", "mime_type": "image/webp",
                                                          "sha256": "abc=", "animated": False}}), "describe"),
    ("whatsapp", whatsapp({"type": "text", "text": {"body": "\U0001f64f\U0001f64f !!"}}), "describe"),
    ("whatsapp", whatsapp({"type": "contacts", "contacts": [{"name": {"formatted_name": "Pak RT"},
                                                             "phones": [{"phone": "+62 812-0000-1111"}]}]}),
     "not_accepted"),
    ("whatsapp", whatsapp({"type": "order", "order": {"catalog_id": "367025965434465", "product_items": [
        {"product_retailer_id": "sku-1", "quantity": 1, "item_price": 10000, "currency": "IDR"}]}}), "not_accepted"),
    ("telegram", samples.telegram_update(734512050, {"message_id": 350, "sticker": {
        "file_id": "CAACAgIAAxkBAAIB", "file_unique_id": "AgADxx", "type": "regular", "width": 512, "height": 512,
        "is_animated": False, "is_video": False, "emoji": "\U0001f600"}}), "describe"),
    ("telegram", samples.telegram_update(734512051, {"message_id": 351, "contact": {
        "phone_number": "+6281200001111", "first_name": "Pak RT"}}), "not_accepted"),
    ("instagram", samples.messenger_event("instagram", "7012345678901234", {
        "mid": "aWdfZAG1faWRfMTc4NDE0MDAwMDAwMDAwMDE6c3Rvcnk", "attachments": [{"type": "story_mention", "payload": {
            "url": "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1&signature=x"}}]}), "not_accepted"),
]


@pytest.mark.parametrize(("channel", "payload", "kind"), CASES)
def test_no_complaint_but_a_word_back(channels: Channels, api: Api, channel: str, payload: dict[str, Any],
                                      kind: str) -> None:
    channels.deliver(channel, payload)
    [reply] = channels.outbox()
    assert reply["kind"] == f"intake_{kind}" and reply["tracking_code"] is None
    if kind == "describe":
        assert "ceritakan masalahnya" in reply["text"]
    else:
        assert "tidak dapat kami proses" in reply["text"] and "menerima" in reply["text"]
    from aduan.dal.tickets import TicketRepository

    contact = reply["contact_id"]
    assert TicketRepository("aduan-tickets-test").by_reporter(contact, 5, None)[0] == []


def test_a_reaction_to_an_earlier_message_is_left_unanswered(channels: Channels) -> None:
    """A 👍 on our reply is a thank-you, not an attempt to complain: no prompt, nothing queued."""
    reaction = whatsapp({"type": "reaction", "reaction": {"message_id": "wamid.OURS", "emoji": "\U0001f44d"}})
    assert channels.post("whatsapp", reaction).status == 200
    assert channels.queued() == []


def test_an_empty_sms_gets_the_prompt(channels: Channels) -> None:
    from test_channel_adapters import twilio

    form = [(k, "" if k == "Body" else v) for k, v in samples.TWILIO_SMS]
    twilio(form)(channels)
    channels.work()
    [reply] = channels.outbox()
    assert reply["kind"] == "intake_describe" and reply["recipient"] == "+6281398765432"
