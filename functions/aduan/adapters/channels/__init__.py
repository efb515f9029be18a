"""One adapter per webhook path `/webhooks/{channel}`."""

from __future__ import annotations

from aduan.adapters.channels.base import ChannelAdapter
from aduan.adapters.channels.telegram import TelegramAdapter
from aduan.adapters.channels.whatsapp import WhatsAppAdapter

ADAPTERS: dict[str, ChannelAdapter] = {
    "whatsapp": WhatsAppAdapter(),
    "telegram": TelegramAdapter(),
}


def adapter_for(channel: str) -> ChannelAdapter | None:
    return ADAPTERS.get(channel)
