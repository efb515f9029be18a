"""Email via Amazon SES receiving: a receipt rule publishes to SNS (with the MIME inline, ≤150 KB) or
stores the MIME in S3 and notifies SNS; SNS delivers to `/webhooks/email` over HTTPS, signed.

The SNS signature and the pinned topic authenticate the request; SES's own verdicts (SPF, DKIM,
spam, virus) decide whether the mail is taken: a failed virus or spam check is not a complaint.
"""

from __future__ import annotations

import base64
import json
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from typing import Any

from aduan import settings
from aduan.adapters.channels import sns
from aduan.adapters.channels.base import (
    MalformedPayload,
    Parsed,
    Reply,
    Secrets,
    SignatureInvalid,
    WebhookRequest,
    need,
)
from aduan.adapters.channels.meta import json_body
from aduan.logic.clock import to_storage
from aduan.models.inbound import InboundMessage, MediaRef, inbound_id
from aduan.models.ticket import Channel

MAX_TEXT = 5000
REFUSED_VERDICTS = ("virusVerdict", "spamVerdict")


class EmailAdapter:
    name = "email"

    def handshake(self, request: WebhookRequest, secrets: Secrets) -> Reply | None:
        return None

    def verify(self, request: WebhookRequest, secrets: Secrets) -> None:
        try:
            message = json_body(request)
        except MalformedPayload:
            raise SignatureInvalid("not an SNS message") from None
        # Development certificates are honoured only in local mode, never from SSM.
        local = secrets.get("signing_certificates") if settings.local_channel_secrets_file() else None
        sns.verify(message, list(secrets.get("topic_arns") or []), local)

    def parse(self, request: WebhookRequest, raw_key: str) -> Parsed:
        envelope = json_body(request)
        kind = envelope.get("Type")
        if kind == "SubscriptionConfirmation":
            url = str(need(envelope, "SubscribeURL"))
            if not sns.is_sns_url(url):
                raise MalformedPayload("SubscribeURL is not an SNS URL")
            return Parsed(confirm_url=url)
        if kind != "Notification":
            return Parsed(ignored=1)
        try:
            notification = json.loads(need(envelope, "Message"))
        except ValueError:
            raise MalformedPayload("Message is not JSON") from None
        if notification.get("notificationType") != "Received":
            return Parsed(ignored=1)
        receipt = need(notification, "receipt")
        if any((receipt.get(verdict) or {}).get("status") == "FAIL" for verdict in REFUSED_VERDICTS):
            return Parsed(ignored=1)
        mail = need(notification, "mail")
        headers = mail.get("commonHeaders") or {}
        senders = getaddresses(headers.get("from") or [str(need(mail, "source"))])
        name, address = senders[0] if senders else ("", "")
        if "@" not in address:
            raise MalformedPayload("no sender address")
        action = receipt.get("action") or {}
        text: str | None = None
        media: list[MediaRef] = []
        extra = {"message_id": str(headers.get("messageId") or ""), "ses_message_id": str(need(mail, "messageId"))}
        if action.get("type") == "SNS" and notification.get("content"):
            text, media = read_mime(_content(notification["content"], action.get("encoding")))
        elif action.get("type") == "S3":
            extra.update(mime_bucket=str(need(action, "bucketName")), mime_key=str(need(action, "objectKey")))
        return Parsed(messages=[InboundMessage(
            id=inbound_id(self.name, str(need(mail, "messageId"))), channel=Channel.EMAIL, provider="ses",
            provider_message_id=str(mail["messageId"]), sender=address.lower(), sender_name=name or None,
            subject=headers.get("subject"), text=text, media=media, sent_at=None,
            received_at=to_storage(request.received_at), raw_key=raw_key,
            extra={key: value for key, value in extra.items() if value},
        )])


def _content(content: str, encoding: str | None) -> bytes:
    if encoding == "BASE64":
        return base64.b64decode(content)
    return content.encode("utf-8", "surrogateescape")


def _parsed(raw: bytes) -> EmailMessage:
    # The modern policy's header registry (4 modules) is imported by the first email, not by every webhook
    # or intake cold start.
    from email import policy

    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def read_mime(raw: bytes) -> tuple[str | None, list[MediaRef]]:
    """The plain text (HTML stripped to text if that is all) and the attachments' names and types."""
    message = _parsed(raw)
    body = message.get_body(preferencelist=("plain", "html"))
    text = None
    if body is not None:
        text = body.get_content()
        if body.get_content_type() == "text/html":
            text = _strip_html(text)
    media = [MediaRef(kind=_kind(part.get_content_type()), ref=f"mime:{index}",
                      mime_type=part.get_content_type(), filename=part.get_filename())
             for index, part in enumerate(message.iter_attachments())]
    return (_reply_text(text)[:MAX_TEXT] or None) if text else None, media


def _kind(mime: str) -> Any:
    major = mime.split("/")[0]
    return major if major in ("image", "video", "audio") else "document"


def _strip_html(html: str) -> str:
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?is)<(script|style).*?</\1>", "", html)))


def _reply_text(text: str) -> str:
    """Drop the quoted history of a reply ("> …" lines and what follows "On … wrote:")."""
    kept = []
    for line in text.splitlines():
        stripped = line.strip()
        quoted_header = stripped.endswith(("wrote:", "menulis:")) and stripped.startswith(("On ", "Pada "))
        if stripped.startswith(">") or quoted_header:
            break
        kept.append(line)
    return "\n".join(kept).strip()


def mime_parts(raw: bytes) -> list[tuple[bytes, str]]:
    """The attachments' bytes and types, in the order read_mime lists them. `raw` is the MIME message,
    or the stored SNS delivery that carries it inline."""
    if raw.lstrip().startswith(b"{"):
        envelope = json.loads(raw)
        notification = json.loads(envelope["Message"])
        action = notification["receipt"]["action"]
        raw = _content(notification["content"], action.get("encoding"))
    message = _parsed(raw)
    found = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        found.append((payload if isinstance(payload, bytes) else b"", part.get_content_type()))
    return found
