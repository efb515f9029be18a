"""Entry point of SenderFunction: outbound messages from the delivery queue -> providers (or the local
outbox). A transient failure postpones that message (exponential backoff through its visibility timeout)
and reports it as a batch item failure; after maxReceiveCount receives it lands in the DLQ. No X-Ray SDK
(cold start), as in the event relay."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

# What every invocation uses is imported at init (not on the first message); wiring builds it.
import aduan.services.me  # noqa: F401
from aduan.dal import delivery_queue
from aduan.models.outbound import OutboundMessage
from aduan.observability import logger, metrics
from aduan.services.delivery import RetryLater
from aduan.wiring import delivery_service

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    message = OutboundMessage.model_validate_json(record.body)
    try:
        outcome = delivery_service().deliver(message)
    except RetryLater as retry:
        delivery_queue.postpone(record.receipt_handle, retry.seconds)
        metrics.add_metric(name="NotificationRetries", unit=MetricUnit.Count, value=1)
        raise
    metrics.add_metric(name=f"Notifications_{outcome}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                         context=context))
