"""Every provider's sender by name, and which provider answers a channel."""

from __future__ import annotations

from aduan.adapters.senders.base import Sender
from aduan.adapters.senders.lapor import LaporSender
from aduan.adapters.senders.meta_send import InstagramSender, MessengerSender
from aduan.adapters.senders.ses_email import SesEmailSender
from aduan.adapters.senders.sns import SnsPushSender, SnsSmsSender
from aduan.adapters.senders.telegram import TelegramSender
from aduan.adapters.senders.twilio_sms import TwilioSmsSender
from aduan.adapters.senders.webhook import WebhookSender
from aduan.adapters.senders.whatsapp import WhatsAppSender
from aduan.adapters.senders.x import XSender
from aduan.models.ticket import Channel

SENDERS: dict[str, Sender] = {sender.provider: sender for sender in (
    WhatsAppSender(), TelegramSender(), TwilioSmsSender(), SnsSmsSender(), SesEmailSender(), SnsPushSender(),
    MessengerSender(), InstagramSender(), XSender(), WebhookSender(), LaporSender())}

# Providers that report on messages we sent (status callbacks, adapters/channels/): a sent message is found
# again by its provider id (`PMID#` map), or, where the provider echoes a reference we gave it with each
# status (WhatsApp's `biz_opaque_callback_data`), by that reference alone.
REPORTING = frozenset({"whatsapp", "twilio", "messenger", "instagram"})
ECHOING = frozenset({"whatsapp"})

_DEFAULT = {Channel.WHATSAPP: "whatsapp", Channel.TELEGRAM: "telegram", Channel.EMAIL: "ses",
            Channel.APP: "sns_push", Channel.MESSENGER: "messenger", Channel.INSTAGRAM: "instagram",
            Channel.X: "x", Channel.WEBHOOK: "webhook", Channel.LAPOR: "lapor"}
# A channel some citizens reach through another provider: the reply goes back the way they wrote.
# (Twilio carries WhatsApp as well as SMS; Meta's own Cloud API is the default for WhatsApp.)
_ALTERNATIVES = {Channel.WHATSAPP: frozenset({"twilio"}), Channel.SMS: frozenset({"twilio", "sns_sms"})}


def provider_for(channel: Channel, sms_provider: str, via: str | None = None) -> str | None:
    """The sender for a channel: the provider the citizen wrote in through (`via`, kept on their contact)
    when it can also send on that channel, otherwise the channel's configured provider."""
    if via and via in _ALTERNATIVES.get(channel, ()):
        return via
    if channel == Channel.SMS:
        return "twilio" if sms_provider == "twilio" else "sns_sms"
    return _DEFAULT.get(channel)
