"""Entry point of EventRelayFunction: outbox records from the table stream -> the event bus.

Each stream record is one timeline entry (the stream filter passes only `EV#` inserts). A failed
publish is reported as a partial batch failure, so the stream retries from that record on and
nothing after it is lost or reordered.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan import settings
from aduan.dal import codec, event_bus
from aduan.logic.domain_events import bus_entry
from aduan.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def relay(record: DynamoDBRecord) -> None:
    image = record.raw_event.get("dynamodb", {}).get("NewImage")
    if not image:
        return
    stored = codec.from_item(image)
    if stored.get("entity") != "event":
        return
    event_bus.publish([bus_entry(stored, settings.event_bus_name())])
    metrics.add_metric(name="DomainEventsPublished", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=relay, processor=processor, context=context))
