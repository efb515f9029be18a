"""Entry point of SlaTrackerFunction: lifecycle domain events (EventBridge rule -> SQS) -> SLA clocks.

Each SQS message is one EventBridge event. Applying it is idempotent (the clocks remember the newest
ticket version applied, written conditionally), so a redelivered or duplicated event changes nothing;
a failure is reported per record and retried by SQS, then lands in the DLQ.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

# What every invocation uses is imported at init (not on the first message); wiring builds it.
import aduan.services.sla  # noqa: F401
from aduan.logic.domain_events import SOURCE
from aduan.models.events import read_event
from aduan.observability import logger, metrics, tracer
from aduan.wiring import sla_service

processor = BatchProcessor(event_type=EventType.SQS)


def track(record: SQSRecord) -> None:
    event = read_event(record.body)
    if event is None or event.source != SOURCE:
        logger.warning("not a ticket domain event; ignored", extra={"message_id": record.message_id})
        return
    applied = sla_service().apply_event(event)
    metrics.add_metric(name="SlaEventsApplied" if applied else "SlaEventsSkipped", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=track, processor=processor, context=context))
