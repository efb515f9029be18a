"""Amazon SES API v2 `SendEmail` (Simple content): a plain-text part, and an HTML part in which every
character of the rendered text is HTML-escaped (the only place our text meets markup). A message may
carry `data.attachments` (`file_name`, `content_type`, `content_base64`, `disposition` INLINE or
ATTACHMENT, `content_id`): they become the Simple content's `Attachments`, and an inline image is shown
in the HTML part by its Content-ID (the periodic reports' chart)."""

from __future__ import annotations

import base64
import html
from typing import Any

from aduan.adapters.senders.base import (
    Credentials,
    Outcome,
    ProviderRequest,
    Reply,
    SendContext,
    SendResult,
    json_body,
)
from aduan.models.outbound import OutboundMessage

PERMANENT = frozenset({"MessageRejected", "MailFromDomainNotVerifiedException", "AccountSuspendedException",
                       "SendingPausedException", "BadRequestException", "NotFoundException"})


def html_part(text: str, inline_images: tuple[str, ...] = ()) -> str:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())
    images = "".join(f'<p><img src="cid:{html.escape(cid)}" alt="grafik / chart"></p>' for cid in inline_images)
    return f'<!doctype html><html><body style="font-family:sans-serif">{paragraphs}{images}</body></html>'


class SesEmailSender:
    provider = "ses"

    def build(self, message: OutboundMessage, credentials: Credentials, context: SendContext) -> ProviderRequest:
        files = [dict(item) for item in message.data.get("attachments") or []]
        inline = tuple(str(f["content_id"]) for f in files if f.get("disposition") == "INLINE" and f.get("content_id"))
        simple: dict[str, Any] = {
            "Subject": {"Data": message.subject or message.kind, "Charset": "UTF-8"},
            "Body": {"Text": {"Data": message.text, "Charset": "UTF-8"},
                     "Html": {"Data": html_part(message.text, inline), "Charset": "UTF-8"}},
        }
        params: dict[str, Any] = {
            "FromEmailAddress": credentials.get("from_address", self.provider),
            "Destination": {"ToAddresses": [message.recipient]},
            "Content": {"Simple": simple},
            "EmailTags": [{"Name": "kind", "Value": message.kind}],
        }
        shown = params
        if files:
            simple["Attachments"] = [_attachment(f) for f in files]
            # What the outbox and the logs show: each file by name and size, not its bytes.
            shown = {**params, "Content": {"Simple": {**simple, "Attachments": [
                {**a, "RawContent": f"<{len(a['RawContent'])} bytes>"} for a in simple["Attachments"]]}}}
        if credentials.values.get("configuration_set"):
            params["ConfigurationSetName"] = credentials.values["configuration_set"]
        region = credentials.values.get("region", "<region>")
        return ProviderRequest(
            provider=self.provider, method="POST", url=f"https://email.{region}.amazonaws.com/v2/email/outbound-emails",
            headers={"Content-Type": "application/json"}, body=json_body(shown),
            aws_call=("sesv2", "send_email", params),
        )

    def interpret(self, reply: Reply) -> SendResult:
        if reply.error_code is None and reply.body.get("MessageId"):
            return SendResult("sent", provider_message_id=str(reply.body["MessageId"]))
        kind: Outcome = "permanent" if reply.error_code in PERMANENT else "transient"
        return SendResult(kind, error_code=reply.error_code, error=str(reply.body.get("message") or ""))


def _attachment(item: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"RawContent": base64.b64decode(str(item["content_base64"])),
                             "FileName": str(item["file_name"]),
                             "ContentType": str(item.get("content_type") or "application/octet-stream"),
                             "ContentDisposition": "INLINE" if item.get("disposition") == "INLINE" else "ATTACHMENT",
                             "ContentTransferEncoding": "BASE64"}
    if item.get("content_id"):
        found["ContentId"] = str(item["content_id"])
    return found
