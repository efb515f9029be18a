"""Entry point of StatsFunction: bus events (ticket domain events, SLA clock events) from its SQS
queue -> the statistics counters, each event counted once (see services/stats.py).

The queue message body is the EventBridge event as the rule delivers it. It is parsed leniently:
moto's EventBridge -> SQS delivery lacks `account`, which Powertools' EventBridgeModel requires."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan import settings
from aduan.dal.config_store import load_config
from aduan.dal.stats import StatsRepository
from aduan.dal.tickets import TicketRepository
from aduan.observability import logger, metrics, tracer
from aduan.services.stats import StatsService

processor = BatchProcessor(event_type=EventType.SQS)


@cache
def service() -> StatsService:
    table = settings.table_name()
    return StatsService(repository=StatsRepository(table), config=lambda: load_config(table),
                        timeline=TicketRepository(table).timeline_records)


def count(record: SQSRecord) -> None:
    event = json.loads(record.body)
    recorded = service().record(source=str(event.get("source")), kind=str(event.get("detail-type")),
                                envelope_id=str(event.get("id")), detail=event.get("detail") or {})
    metrics.add_metric(name="StatsEventsCounted" if recorded else "StatsEventsSkipped", unit=MetricUnit.Count,
                       value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=count, processor=processor, context=context))
