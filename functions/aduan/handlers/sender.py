"""Entry point of SenderFunction: outbound messages from the delivery queue -> providers (or the local
outbox). A transient failure postpones that message (exponential backoff through its visibility timeout)
and reports it as a batch item failure; after maxReceiveCount receives it lands in the DLQ. No X-Ray SDK
and no BatchProcessor (cold start), as in the event relay."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

# What every invocation uses is imported at init (not on the first message); wiring builds it.
import aduan.services.me  # noqa: F401
from aduan.dal import delivery_queue
from aduan.models.outbound import OutboundMessage
from aduan.observability import logger, metrics
from aduan.services.delivery import RetryLater
from aduan.sqs_batch import partial_batch
from aduan.wiring import delivery_service


def record_handler(record: dict[str, Any]) -> None:
    message = OutboundMessage.model_validate_json(record["body"])
    try:
        outcome = delivery_service().deliver(message)
    except RetryLater as retry:
        delivery_queue.postpone(record["receiptHandle"], retry.seconds)
        metrics.add_metric(name="NotificationRetries", unit=MetricUnit.Count, value=1)
        raise
    metrics.add_metric(name=f"Notifications_{outcome}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return partial_batch(event, record_handler)
