"""The outbound port's wiring. Until real sending lands (notifications issue), the port records each
message durably and idempotently (`OUT#<message id>`, state `recorded`); producers never change when
the real adapter is returned here instead."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from aws_lambda_powertools.metrics import MetricUnit

from aduan import settings
from aduan.dal.outbox import OutboxRepository
from aduan.logic import clock
from aduan.models.outbound import OutboundMessage, OutboundPort
from aduan.observability import logger, metrics


@dataclass
class RecordingOutbound:
    repository: OutboxRepository

    def send(self, message: OutboundMessage) -> None:
        if self.repository.record(message, "recorded", clock.to_storage(clock.now())):
            metrics.add_metric(name="OutboundRecorded", unit=MetricUnit.Count, value=1)
            logger.info("outbound message recorded", extra={"message_id": message.id, "kind": message.kind,
                                                           "channel": message.channel.value})


@cache
def outbound_port() -> OutboundPort:
    return RecordingOutbound(OutboxRepository(settings.table_name()))
