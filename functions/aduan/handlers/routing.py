"""Entry point of RoutingFunction: `TicketCreated` (and `not_our_authority` returns) from the bus,
through its SQS queue, into triage. A failed record is reported alone and retried by SQS; after
`maxReceiveCount` deliveries it waits in RoutingDLQ (alarmed)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

# What every invocation uses is imported at init (not on the first message); wiring builds it.
import aduan.services.routing  # noqa: F401
from aduan.models.events import read_event
from aduan.observability import logger, metrics, tracer
from aduan.wiring import routing_service

processor = BatchProcessor(event_type=EventType.SQS)


def route_record(record: SQSRecord) -> None:
    event = read_event(record.body)
    if event is None:
        logger.warning("not a ticket event; ignored", extra={"message_id": record.message_id})
        return
    rerouting = event.event_type == "TicketStatusChanged"
    if rerouting and event.action != "not_our_authority":
        return
    outcome = routing_service().route(event.tracking_code, event.event_id, rerouting=rerouting,
                                      version=event.ticket_version)
    logger.info("routed", extra={"tracking_code": outcome.tracking_code, "skipped": outcome.skipped,
                                 "assigned": outcome.assigned,
                                 "agency_id": outcome.suggestion.agency_id if outcome.suggestion else None})
    if outcome.suggestion and not outcome.skipped:
        metrics.add_metric(name="ComplaintsRouted", unit=MetricUnit.Count, value=1)
        if outcome.assigned:
            metrics.add_metric(name="ComplaintsAutoAssigned", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=route_record, processor=processor,
                                         context=context))
