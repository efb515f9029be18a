"""Deliver one outbound message: claim it (exactly once), honour STOP, pick the provider adapter, send
(or keep it in the local outbox), record the outcome on the ticket timeline, retry or fall back."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aduan.adapters import provider_transport
from aduan.adapters.senders.base import Credentials, ProviderRequest, Reply, SendContext, SendResult
from aduan.adapters.senders.registry import ECHOING, REPORTING, SENDERS, provider_for
from aduan.dal import channel_secrets
from aduan.dal.contacts import ContactRepository
from aduan.dal.deliveries import RETENTION_SECONDS, DeliveryRepository
from aduan.dal.tickets import TicketRepository
from aduan.logic import clock, delivery_log
from aduan.logic.rate_limit import TokenBucket
from aduan.models.contact import Contact
from aduan.models.events import TicketSnapshot
from aduan.models.outbound import OutboundMessage, OutboundPort, message_id
from aduan.models.templates import NotificationConfig
from aduan.models.ticket import Channel, Ticket

MAX_ATTEMPTS = 6
BACKOFF_SECONDS = (30, 120, 600, 1800, 3600)
# A claim older than this is from a sender that died mid-send (the function times out after 30 s):
# the message may be taken again. If the provider had already accepted it, the citizen gets it twice;
# providers offer no idempotency key to prevent that, and losing it would be worse.
STALE_CLAIM = timedelta(seconds=90)
# STOP's own confirmation must reach the citizen who just opted out (channel intake sends it).
OPT_OUT_EXEMPT = frozenset({"stop_confirmation", "opt_out_confirmation"})


class RetryLater(Exception):
    def __init__(self, seconds: int, reason: str) -> None:
        super().__init__(reason)
        self.seconds = seconds


@dataclass
class DeliveryService:
    deliveries: DeliveryRepository
    tickets: TicketRepository
    contacts: ContactRepository
    config: Callable[[], NotificationConfig]
    port: Callable[[], OutboundPort]
    credentials: Callable[[str], dict[str, str] | None] = channel_secrets.credentials
    transport: Callable[[ProviderRequest], Reply] = provider_transport.execute
    local_outbox: bool = False
    sleep: Callable[[float], None] = time.sleep
    buckets: dict[str, TokenBucket] = field(default_factory=dict)
    # Called with the contact id of a push endpoint SNS disabled (its token is invalid): forget the device.
    forget_device: Callable[[str], bool] | None = None

    def deliver(self, message: OutboundMessage) -> str:
        """The outcome: sent, suppressed, failed, duplicate; raises RetryLater for a transient failure."""
        moment = clock.now()
        stamp = clock.to_storage(moment)
        ticket = delivery_log.about(message) or (self.tickets.get(message.tracking_code)
                                                 if message.tracking_code else None)
        # The message's log entry, "sending": its claim when it has a place on the ticket's timeline.
        claim = delivery_log.entry(ticket, message, "sending", moment,
                                   event_id=delivery_log.log_event_id(message.id)) if ticket else None
        attempt = self.deliveries.claim(message, stamp, clock.to_storage(moment - STALE_CLAIM),
                                        int(moment.timestamp()) + RETENTION_SECONDS, claim)
        if attempt is None:
            status, claimed_at = self.deliveries.status(message, claim)
            if status == "sending" and claimed_at:
                # Someone is sending it now, or died doing so: look again once that claim is stale,
                # rather than dropping a message that may never have gone out.
                age = (moment - clock.from_storage(claimed_at)).total_seconds()
                raise RetryLater(max(1, int(STALE_CLAIM.total_seconds() - age) + 1), "being sent elsewhere")
            return "duplicate"
        contact = self.contacts.get(message.contact_id) if message.contact_id else None
        if self._opted_out(message, contact):
            self._finish(message, "suppressed", ticket, attempt=attempt)
            return "suppressed"
        settings = self.config().settings
        provider = provider_for(message.channel, settings.sms_provider, _came_in_through(message, contact))
        reference = delivery_log.reference(ticket, message) if ticket and provider in ECHOING else None
        result = self._send(message, provider, contact, attempt, reference) if provider else SendResult(
            "permanent", error_code="no_sender", error=f"no sender for channel {message.channel.value}")
        if result.outcome == "sent":
            # A status of a provider that echoes our reference names its entry itself: no map, unless a late
            # failure must find the message to fall back.
            mapped = provider in REPORTING and (reference is None or bool(message.data.get("fallbacks")))
            self._finish(message, "sent", ticket, provider=provider, attempt=attempt,
                         provider_message_id=result.provider_message_id, mapped=mapped)
            return "sent"
        if result.outcome == "transient" and attempt < MAX_ATTEMPTS:
            self._finish(message, "retrying", ticket, provider=provider, attempt=attempt, result=result)
            backoff = BACKOFF_SECONDS[min(attempt - 1, len(BACKOFF_SECONDS) - 1)]
            raise RetryLater(max(backoff, int(result.retry_after or 0)), result.error or result.error_code or "")
        if result.error_code == "EndpointDisabled" and message.contact_id and self.forget_device:
            self.forget_device(message.contact_id)
        fallback = self._fallback(message)
        self._finish(message, "failed", ticket, provider=provider, attempt=attempt, result=result,
                     next_channel=fallback.channel.value if fallback else None)
        if fallback:
            self.port().send(fallback)
        return "failed"

    # ------------------------------------------------------------------ steps
    @staticmethod
    def _opted_out(message: OutboundMessage, contact: Contact | None) -> bool:
        return (contact is not None and contact.opted_out and message.kind not in OPT_OUT_EXEMPT
                and not message.data.get("ignore_opt_out"))

    def _send(self, message: OutboundMessage, provider: str, contact: Contact | None, attempt: int,
              reference: str | None = None) -> SendResult:
        sender = SENDERS[provider]
        # A forward names its body's own secret (a webhook's signing key, LAPOR!'s token): data.secret.
        secret = str(message.data.get("secret") or provider)
        values = self.credentials(secret)
        if values is None and not self.local_outbox:
            return SendResult("permanent", error_code="not_configured",
                              error=f"{provider} has no credentials (SSM {secret})")
        credentials = Credentials({"region": os.environ.get("AWS_REGION", "<region>"), **(values or {})},
                                  placeholder=values is None)
        context = SendContext(now=clock.now(), contact=contact,
                              whatsapp_template=self.config().settings.whatsapp_template, reference=reference)
        try:
            request = sender.build(message, credentials, context)
        except (KeyError, ValueError) as error:
            return SendResult("permanent", error_code="not_configured", error=str(error))
        self._throttle(provider)
        if values is None:
            self.deliveries.sink(clock.to_storage(clock.now()), message, shown(request, message, attempt))
            return SendResult("sent", provider_message_id=f"local-{message.id}")
        return sender.interpret(self.transport(request))

    def _throttle(self, provider: str) -> None:
        rate = self.config().settings.rate_per_second.get(provider, 0.0)
        bucket = self.buckets.setdefault(provider, TokenBucket(rate=rate, burst=max(1.0, rate)))
        bucket.rate = rate
        delay = bucket.wait(time.monotonic())
        if delay > 0:
            self.sleep(delay)

    @staticmethod
    def _fallback(message: OutboundMessage) -> OutboundMessage | None:
        """The same words to the citizen's next known channel (officers' mailboxes have no fallback)."""
        remaining = list(message.data.get("fallbacks") or [])
        if message.audience != "citizen" or not remaining:
            return None
        nxt, rest = remaining[0], remaining[1:]
        channel = Channel(nxt["channel"])
        return delivery_log.placed(message).model_copy(update={
            "id": message_id(message.id, nxt["address"], channel), "channel": channel,
            "recipient": nxt["address"], "contact_id": nxt.get("contact_id"), "reply_to_provider_message_id": None,
            "data": {**{k: v for k, v in message.data.items() if k != "provider"},
                     "fallbacks": rest, "fallback_of": message.id}})

    def _finish(self, message: OutboundMessage, status: str, ticket: Ticket | TicketSnapshot | None, *,
                provider: str | None = None, attempt: int, provider_message_id: str | None = None,
                result: SendResult | None = None, next_channel: str | None = None, mapped: bool = False) -> None:
        moment = clock.now()
        error = result.error if result else None
        error_code = result.error_code if result else None
        entry = delivery_log.entry(ticket, message, status, moment, provider=provider, attempt=attempt,
                                   error=error, error_code=error_code, provider_message_id=provider_message_id,
                                   next_channel=next_channel,
                                   event_id=delivery_log.log_event_id(message.id)) if ticket else None
        fields: dict[str, Any] = {"provider": provider, "provider_message_id": provider_message_id,
                                  "error_code": error_code, "error": error,
                                  "expires_at": int(moment.timestamp()) + RETENTION_SECONDS}
        self.deliveries.finish(message, status, clock.to_storage(moment),
                               {k: v for k, v in fields.items() if v is not None}, entry, provider_message_id, mapped)


def _came_in_through(message: OutboundMessage, contact: Contact | None) -> str | None:
    """The provider the citizen wrote in through: on an intake reply, or kept on their contact."""
    via = message.data.get("provider") or (contact.provider if contact else None)
    return str(via) if via else None


def shown(request: ProviderRequest, message: OutboundMessage, attempt: int) -> dict[str, Any]:
    """What the local outbox shows: the request without secrets, and the rendered words."""
    return {"provider": request.provider, "method": request.method, "url": request.url,
            "headers": request.headers, "body": request.body,
            "aws_call": ({"service": request.aws_call[0], "operation": request.aws_call[1]}
                         if request.aws_call else None),
            "message_id": message.id, "kind": message.kind, "channel": message.channel.value,
            "recipient": message.recipient, "audience": message.audience, "language": message.language,
            "tracking_code": message.tracking_code, "subject": message.subject, "text": message.text,
            "attempt": attempt}
