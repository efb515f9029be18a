"""Attach an inbound message's media to its complaint: download from the provider, store in the
attachments bucket, record the attachment. Idempotent (the attachment id derives from the inbound
message and the media's position), so a redelivered message attaches nothing twice. A medium that
cannot be fetched is logged and counted, not retried forever: the complaint matters more than one photo."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from aws_lambda_powertools.metrics import MetricUnit

from aduan.adapters.channels.email import mime_parts
from aduan.adapters.channels.media import MAX_BYTES, Downloaded, MediaUnavailable, fetch, http_get
from aduan.dal import attachments, inbound_store
from aduan.dal.channel_secrets import channel_secrets
from aduan.dal.tickets import TicketRepository
from aduan.logic import clock
from aduan.logic.status_machine import Role
from aduan.models.inbound import InboundMessage, MediaRef
from aduan.models.ticket import Actor, Attachment
from aduan.observability import logger, metrics
from aduan.services.private_media import clean_key, safe_copy

SECRETS_OF = {"whatsapp": "whatsapp", "telegram": "telegram", "twilio": "twilio"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "video/mp4": "mp4",
              "audio/ogg": "ogg", "application/pdf": "pdf"}


@dataclass
class MediaAttacher:
    tickets: TicketRepository
    bucket: Callable[[], str]
    inbound_bucket: Callable[[], str]
    get: Callable[[str, dict[str, str]], Downloaded] = http_get

    def store(self, message: InboundMessage, ticket_id: str, code: str, contact_id: str) -> list[Attachment]:
        """Download the message's media and store their safe copies; the attachment records are for the
        caller to write (the intake worker writes them with the message's `done` mark). A redelivery
        stores the same objects under the same keys and ids."""
        attached: list[Attachment] = []
        for index, media in enumerate(message.media):
            attachment_id = "M" + hashlib.sha256(f"{message.id}|{index}".encode()).hexdigest()[:25].upper()
            try:
                found = self._download(message, media)
            except (MediaUnavailable, OSError, ValueError, KeyError) as error:
                metrics.add_metric(name="MediaDownloadFailed", unit=MetricUnit.Count, value=1)
                logger.warning("media could not be downloaded", extra={"provider": message.provider,
                                                                        "error": str(error)[:300]})
                continue
            # Only the safe copy is stored (no EXIF/GPS): the citizen still has the original on their phone.
            clean = safe_copy(found.data, found.content_type, MAX_BYTES)
            if clean is None:
                continue
            key = clean_key(f"attachments/{ticket_id}/{attachment_id}")
            attachments.put_bytes(self.bucket(), key, clean.data, clean.content_type)
            record = Attachment(
                id=attachment_id, ticket_id=ticket_id, tracking_code=code, key=key,
                filename=media.filename or f"{media.kind}-{index + 1}.{EXTENSIONS.get(clean.content_type, 'bin')}",
                content_type=clean.content_type, max_bytes=len(clean.data),
                uploaded_by=Actor(role=Role.CITIZEN, id=contact_id), created_at=clock.to_storage(clock.now()))
            attached.append(record)
        return attached

    def _download(self, message: InboundMessage, media: MediaRef) -> Downloaded:
        if media.ref.startswith("mime:"):
            return self._mime_part(message, int(media.ref.removeprefix("mime:")))
        provider = message.provider.split(":")[0]
        secrets = channel_secrets(SECRETS_OF[provider]) if provider in SECRETS_OF else {}
        return fetch(provider, media, secrets, self.get)

    def _mime_part(self, message: InboundMessage, index: int) -> Downloaded:
        if "mime_key" in message.extra:
            raw = inbound_store.get(message.extra["mime_bucket"], message.extra["mime_key"])
        else:
            raw = inbound_store.get(self.inbound_bucket(), message.raw_key or "")
        part = mime_parts(raw)[index]
        return Downloaded(part[0], part[1])
