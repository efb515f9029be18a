"""Media sent with a message are downloaded from the provider into the attachments bucket and
attached to the complaint, once, with each provider's own way of authenticating the download."""

from __future__ import annotations

import io
import os
from typing import Any

import boto3
from channels_harness import JPEG, Channels, channels_fixture  # noqa: F401 - the `channels` fixture

from conftest import BUCKET
from infra import channel_samples as samples


def attachments(reporter: str) -> list[Any]:
    from aduan.dal.tickets import TicketRepository

    repository = TicketRepository(os.environ["TABLE_NAME"])
    [ticket] = repository.by_reporter(reporter, 5, None)[0]
    return repository.get_with_attachments(ticket.tracking_code)[1]


def stored(key: str) -> bytes:
    return bytes(boto3.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read())


def is_scrubbed_copy(data: bytes) -> bool:
    """The same picture, none of the phone's metadata (maker, model, GPS)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size == (64, 48) and not image.getexif() and b"samsung" not in data and data != JPEG


def originals() -> list[str]:
    """Keys in the attachments bucket that are not the safe copy."""
    found = boto3.client("s3").list_object_versions(Bucket=BUCKET, Prefix="attachments/")
    return [item["Key"] for item in found.get("Versions", []) if not item["Key"].endswith(".clean")]


def test_a_whatsapp_photo_is_fetched_with_the_access_token_and_attached_once(channels: Channels) -> None:
    channels.deliver("whatsapp", samples.WHATSAPP_TEXT)
    for _ in range(2):
        channels.post("whatsapp", samples.WHATSAPP_IMAGE)
    channels.work()
    [photo] = attachments("whatsapp:+6281234567890")
    assert photo.content_type == "image/jpeg" and photo.uploaded_by.role == "citizen"
    assert is_scrubbed_copy(stored(photo.key)) and b"samsung" in JPEG and originals() == []
    urls = [url for url, _ in channels.providers.requests]
    assert urls == ["https://graph.facebook.com/v21.0/1203467351240936",
                    "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1"]
    assert all(headers["Authorization"] == "Bearer dev-whatsapp-access-token"
               for _, headers in channels.providers.requests)


def test_a_telegram_photo_uses_the_largest_size_via_get_file(channels: Channels) -> None:
    channels.deliver("telegram", samples.TELEGRAM_PHOTO)
    [photo] = attachments("telegram:5012345678")
    assert is_scrubbed_copy(stored(photo.key))
    urls = [url for url, _ in channels.providers.requests]
    assert urls[0].endswith("/getFile?file_id=AgACAgUAAxkBAAIBN2dH1_large")
    assert urls[1] == "https://api.telegram.org/file/bot123456:dev-telegram-bot-token/photos/file_7.jpg"


def test_twilio_media_are_fetched_with_basic_auth(channels: Channels) -> None:
    from test_channel_adapters import twilio

    twilio(samples.TWILIO_WHATSAPP_IMAGE)(channels)
    channels.work()
    assert len(attachments("whatsapp:+6281398760000")) == 1
    [(url, headers)] = channels.providers.requests
    assert url.startswith("https://api.twilio.com/") and headers["Authorization"].startswith("Basic ")


def test_email_attachments_come_from_the_stored_mime_and_a_broken_image_is_refused(channels: Channels) -> None:
    from test_channel_adapters import signed

    signed("email", samples.EMAIL_INLINE)(channels)
    channels.work()
    # The sample's trotoar.jpg is only a JPEG header (truncated): nothing safe can be made of it, so
    # nothing is stored, and the complaint itself is filed all the same.
    assert attachments("email:dewi.lestari@example.co.id") == [] and originals() == []
    assert channels.providers.requests == []


def test_an_unreachable_provider_does_not_stop_the_complaint(channels: Channels) -> None:
    channels.providers.broken = True
    assert channels.deliver("whatsapp", samples.WHATSAPP_IMAGE) == {"batchItemFailures": []}
    assert attachments("whatsapp:+6281234567890") == []
    assert channels.outbox()[0]["kind"] == "intake_filed"
