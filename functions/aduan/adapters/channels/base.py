"""What a channel adapter is: verify a provider's request, answer its handshake, normalise its payload.

Adapters are pure: the raw request and the channel's secrets in, messages and statuses out. The
webhook service does the I/O (secrets, S3, the queue, the bus).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from aduan.logic.clock import to_storage
from aduan.models.inbound import DeliveryStatus, InboundMessage

Secrets = dict[str, Any]


class SignatureInvalid(Exception):
    """The request is not from the provider (missing or wrong signature/token)."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


class MalformedPayload(Exception):
    """Authentic, but not a payload we understand: answered 4xx and kept for inspection."""


@dataclass(frozen=True)
class WebhookRequest:
    method: str
    headers: dict[str, str]  # lower-case names
    query: dict[str, str]
    body: bytes
    public_url: str  # the URL exactly as the provider called it (scheme, host, stage, path, query)
    received_at: datetime
    form_pairs: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Reply:
    """A direct answer to a handshake (Meta hub.challenge, X CRC, SNS subscription)."""

    status: int
    body: str
    content_type: str = "text/plain"


@dataclass
class Parsed:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[DeliveryStatus] = field(default_factory=list)
    ignored: int = 0
    confirm_url: str | None = None  # SNS SubscriptionConfirmation: GET this once to subscribe


class ChannelAdapter(Protocol):
    name: str

    def handshake(self, request: WebhookRequest, secrets: Secrets) -> Reply | None:
        """Answer a GET verification (None: this channel has none)."""

    def verify(self, request: WebhookRequest, secrets: Secrets) -> None:
        """Raise SignatureInvalid unless the request is authentic."""

    def parse(self, request: WebhookRequest, raw_key: str) -> Parsed:
        """Normalise an authentic request; raise MalformedPayload if it cannot be understood."""


# What a parser raises when an authentic payload has a shape it did not expect (a string where an object
# belongs, a list for a number, a timestamp past the calendar's end): the payload's fault, never ours.
SHAPE_ERRORS = (TypeError, KeyError, IndexError, AttributeError, ValueError, OverflowError, OSError,
                RecursionError, UnicodeError)


def parse_payload(adapter: ChannelAdapter, request: WebhookRequest, raw_key: str) -> Parsed:
    """`adapter.parse`, with any shape error turned into MalformedPayload (a 4xx-class refusal)."""
    try:
        return adapter.parse(request, raw_key)
    except MalformedPayload:
        raise
    except SHAPE_ERRORS as error:
        raise MalformedPayload(f"unexpected shape: {type(error).__name__}: {str(error)[:300]}") from None


def hmac_hex(secret: str, payload: bytes, algorithm: str = "sha256") -> str:
    return hmac.new(secret.encode(), payload, getattr(hashlib, algorithm)).hexdigest()


def same(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def require_secret(secrets: Secrets, name: str) -> str:
    value = secrets.get(name)
    if not isinstance(value, str) or not value:
        raise SignatureInvalid(f"channel secret {name!r} is not configured", status=403)
    return value


def unix_time(seconds: float | int | str) -> str:
    return to_storage(datetime.fromtimestamp(float(seconds), UTC))


def text_or_none(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def need(mapping: Any, key: str) -> Any:
    """A field the provider always sends: its absence means a malformed payload, not a crash."""
    if not isinstance(mapping, dict) or key not in mapping or mapping[key] in (None, ""):
        raise MalformedPayload(f"missing {key!r}")
    return mapping[key]
