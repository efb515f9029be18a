"""The sender interface and the values it passes around."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from aduan.models.contact import Contact
from aduan.models.outbound import OutboundMessage
from aduan.models.templates import WhatsAppTemplate

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)
Outcome = Literal["sent", "transient", "permanent"]


@dataclass(frozen=True)
class Credentials:
    """A provider's settings from SSM (`values`); `placeholder` when none are configured (local outbox)."""

    values: dict[str, str]
    placeholder: bool = False

    def get(self, name: str, provider: str) -> str:
        value = self.values.get(name)
        if value:
            return value
        if self.placeholder:
            return f"<{provider}.{name}>"
        raise KeyError(f"{provider} credential {name!r} is not configured")


@dataclass(frozen=True)
class SendContext:
    now: datetime
    contact: Contact | None = None
    whatsapp_template: WhatsAppTemplate | None = None
    reference: str | None = None  # echoed with the provider's statuses, where it supports that (ECHOING)


@dataclass(frozen=True)
class ProviderRequest:
    """One call to a provider. Secrets live only in `secret_headers` and `secret_url`, never in what
    the local outbox or the timeline shows (`method`, `url`, `headers`, `body`)."""

    provider: str
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    secret_headers: dict[str, str] = field(default_factory=dict)
    secret_url: str | None = None
    # AWS providers (SES, SNS) are called through boto3: (service, operation, parameters).
    aws_call: tuple[str, str, dict[str, Any]] | None = None
    timeout: float | None = None  # seconds; the transport's default when None


@dataclass(frozen=True)
class Reply:
    """What came back: an HTTP status and parsed body, or an AWS response / error code."""

    status: int  # 0: no answer (timeout, connection refused)
    body: dict[str, Any] = field(default_factory=dict)
    error_code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    provider_message_id: str | None = None
    error_code: str | None = None
    error: str | None = None
    retry_after: float | None = None


class Sender(Protocol):
    provider: str

    def build(self, message: OutboundMessage, credentials: Credentials, context: SendContext) -> ProviderRequest:
        ...

    def interpret(self, reply: Reply) -> SendResult:
        ...


def json_body(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def http_failure(reply: Reply, permanent_codes: frozenset[str], code: str | None, message: str | None
                 ) -> SendResult:
    """Common reading of an HTTP error: throttling and server errors are transient, known codes permanent,
    other 4xx permanent (the same request would fail again)."""
    retry_after = retry_after_of(reply)
    if reply.status == 0 or reply.status == 429 or reply.status >= 500:
        return SendResult("transient", error_code=code or str(reply.status), error=message, retry_after=retry_after)
    if code in permanent_codes or 400 <= reply.status < 500:
        return SendResult("permanent", error_code=code or str(reply.status), error=message)
    return SendResult("transient", error_code=code, error=message, retry_after=retry_after)


def retry_after_of(reply: Reply) -> float | None:
    value = reply.headers.get("retry-after") or reply.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def within_window(contact: Contact | None, now: datetime) -> bool:
    """Meta's 24-hour customer-service window, counted from the citizen's last message to us."""
    if contact is None or not contact.last_inbound_at:
        return False
    last = datetime.fromisoformat(contact.last_inbound_at.replace("Z", "+00:00"))
    return timedelta(0) <= now - last < CUSTOMER_SERVICE_WINDOW


def choices_of(message: OutboundMessage, limit: int, title_limit: int = 20) -> list[tuple[str, str]]:
    """Answer buttons a message offers (`data.choices`, see logic/feedback.py): (title, payload) pairs,
    as many as the channel allows."""
    found = message.data.get("choices") or []
    return [(str(item["title"])[:title_limit], str(item["payload"])) for item in found[:limit]
            if isinstance(item, dict) and item.get("title") and item.get("payload")]
