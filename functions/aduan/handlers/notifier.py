"""Entry point of NotifierFunction: events from its queue (EventBridge rules) -> messages on the
delivery queue, and provider status callbacks -> the ticket timeline. Partial batch failures: a failed
event is retried alone, then goes to the DLQ. Like the event relay, no X-Ray SDK and no BatchProcessor
(cold start): Lambda's active tracing records each invocation."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

# What every invocation uses is imported at init (not on the first message); wiring builds it.
import aduan.services.feedback
import aduan.services.me
import aduan.services.notifier  # noqa: F401
from aduan.observability import logger, metrics
from aduan.sqs_batch import partial_batch
from aduan.wiring import notifier_service


def record_handler(record: dict[str, Any]) -> None:
    built = notifier_service().handle(json.loads(record["body"]))
    metrics.add_metric(name="NotificationsQueued", unit=MetricUnit.Count, value=len(built))


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return partial_batch(event, record_handler)
