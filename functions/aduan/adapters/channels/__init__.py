"""One adapter per webhook path `/webhooks/{channel}`.

An adapter's module is imported with its channel's first webhook, not with the webhooks function: a
container pays at cold start only for the channels it hears from (an adapter keeps no state)."""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING, Any

from aduan.models.ticket import Channel

if TYPE_CHECKING:
    from aduan.adapters.channels.base import ChannelAdapter

# channel path -> (module in this package, adapter class, the class's arguments)
_ADAPTERS: dict[str, tuple[str, str, tuple[Any, ...]]] = {
    "whatsapp": ("whatsapp", "WhatsAppAdapter", ()),
    "telegram": ("telegram", "TelegramAdapter", ()),
    "twilio": ("twilio", "TwilioAdapter", ()),
    "messenger": ("messenger", "MessengerAdapter", (Channel.MESSENGER, "page")),
    "instagram": ("messenger", "MessengerAdapter", (Channel.INSTAGRAM, "instagram")),
    "generic": ("generic", "GenericAdapter", ()),
    "email": ("email", "EmailAdapter", ()),
    "x": ("x", "XAdapter", ()),
}
CHANNELS = tuple(_ADAPTERS)


@cache
def adapter_for(channel: str) -> ChannelAdapter | None:
    found = _ADAPTERS.get(channel)
    if found is None:
        return None
    module, name, arguments = found
    adapter: ChannelAdapter = getattr(importlib.import_module(f"{__name__}.{module}"), name)(*arguments)
    return adapter
