"""Amazon SES API v2 `SendEmail` (Simple content): a plain-text part, and an HTML part in which every
character of the rendered text is HTML-escaped (the only place our text meets markup)."""

from __future__ import annotations

import html

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


def html_part(text: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())
    return f'<!doctype html><html><body style="font-family:sans-serif">{paragraphs}</body></html>'


class SesEmailSender:
    provider = "ses"

    def build(self, message: OutboundMessage, credentials: Credentials, context: SendContext) -> ProviderRequest:
        params: dict[str, object] = {
            "FromEmailAddress": credentials.get("from_address", self.provider),
            "Destination": {"ToAddresses": [message.recipient]},
            "Content": {"Simple": {
                "Subject": {"Data": message.subject or message.kind, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": message.text, "Charset": "UTF-8"},
                         "Html": {"Data": html_part(message.text), "Charset": "UTF-8"}},
            }},
            "EmailTags": [{"Name": "kind", "Value": message.kind}],
        }
        if credentials.values.get("configuration_set"):
            params["ConfigurationSetName"] = credentials.values["configuration_set"]
        region = credentials.values.get("region", "<region>")
        return ProviderRequest(
            provider=self.provider, method="POST", url=f"https://email.{region}.amazonaws.com/v2/email/outbound-emails",
            headers={"Content-Type": "application/json"}, body=json_body(params),
            aws_call=("sesv2", "send_email", params),
        )

    def interpret(self, reply: Reply) -> SendResult:
        if reply.error_code is None and reply.body.get("MessageId"):
            return SendResult("sent", provider_message_id=str(reply.body["MessageId"]))
        kind: Outcome = "permanent" if reply.error_code in PERMANENT else "transient"
        return SendResult(kind, error_code=reply.error_code, error=str(reply.body.get("message") or ""))
