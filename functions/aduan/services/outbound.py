"""Which adapter sits behind the outbound port: the delivery queue, drained by the sender function
(handlers/sender.py), which talks to the providers, or to the local outbox in local mode."""

from __future__ import annotations

from aduan.adapters.outbound_queue import QueueOutboundPort
from aduan.models.outbound import OutboundPort


def outbound_port() -> OutboundPort:
    return QueueOutboundPort()
