"""Who gets which copy of an attachment.

The uploader may fetch what they uploaded. Everyone else (the desk, the agency, the public) gets a
copy made safe by logic/images.py: photos re-encoded without EXIF/GPS/maker notes, other files checked
against their declared type and size. The safe copy is made the first time someone else asks and kept
next to the original (`<key>.clean`), so it is made once. For an anonymous complaint the original is
then destroyed, every version of it (the bucket is versioned), and the uploader gets the safe copy too.

Media that came in through a chat channel is made safe before it is ever stored (services/media.py), so
its record already points at a `.clean` key and no original exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_lambda_powertools.metrics import MetricUnit

from aduan.dal import attachments
from aduan.logic.access import Principal
from aduan.logic.images import Clean, Refused, scrub
from aduan.models.ticket import Attachment, Ticket
from aduan.observability import logger, metrics

CLEAN_SUFFIX = ".clean"


def clean_key(key: str) -> str:
    return key if key.endswith(CLEAN_SUFFIX) else key + CLEAN_SUFFIX


def safe_copy(data: bytes, content_type: str, max_bytes: int) -> Clean | None:
    """The safe copy of a file, or None (counted and logged) when it is refused."""
    try:
        return scrub(data, content_type, max_bytes)
    except Refused as error:
        metrics.add_metric(name="MediaRefused", unit=MetricUnit.Count, value=1)
        logger.warning("attachment refused", extra={"content_type": content_type, "reason": str(error)[:200]})
        return None


@dataclass
class PrivateMedia:
    bucket: Callable[[], str]
    presign: Callable[[str, str], str] = attachments.presigned_download

    def url(self, record: Attachment, ticket: Ticket, principal: Principal | None) -> str | None:
        """A download link for this caller (None: the public, or nothing safe to show)."""
        uploader = principal is not None and principal.sub == record.uploaded_by.id
        if uploader and not ticket.anonymous and not record.key.endswith(CLEAN_SUFFIX):
            return self.presign(self.bucket(), record.key)
        key = self.ensure_clean(record, ticket)
        return self.presign(self.bucket(), key) if key else None

    def ensure_clean(self, record: Attachment, ticket: Ticket) -> str | None:
        """The key of the safe copy, made now if it does not exist yet."""
        bucket, target = self.bucket(), clean_key(record.key)
        if attachments.exists(bucket, target):
            return target
        data = attachments.get_bytes(bucket, record.key, record.max_bytes)
        if data is None:
            return None  # announced but never uploaded
        clean = safe_copy(data, record.content_type, record.max_bytes)
        if clean is None:
            return None
        attachments.put_bytes(bucket, target, clean.data, clean.content_type)
        if ticket.anonymous:
            attachments.destroy(bucket, record.key)
        return target
