"""Entry point of NotifierFunction: events from its queue (EventBridge rules) -> messages on the
delivery queue, and provider status callbacks -> the ticket timeline. Partial batch failures: a failed
event is retried alone, then goes to the DLQ. No X-Ray SDK (cold start): Lambda's active tracing
records each invocation."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

# What every invocation uses is imported at init (not on the first message); wiring builds it.
import aduan.services.feedback
import aduan.services.me
import aduan.services.notifier  # noqa: F401
from aduan.observability import logger, metrics
from aduan.wiring import notifier_service

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    built = notifier_service().handle(json.loads(record.body))
    metrics.add_metric(name="NotificationsQueued", unit=MetricUnit.Count, value=len(built))


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                         context=context))
