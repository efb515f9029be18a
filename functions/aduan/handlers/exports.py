"""Entry point of ExportFunction: export requests from its SQS queue -> a CSV streamed to S3."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

# What every invocation uses is imported at init (not on the first message); wiring builds it.
import aduan.services.exports  # noqa: F401
from aduan.observability import logger, metrics, tracer
from aduan.wiring import export_service

processor = BatchProcessor(event_type=EventType.SQS)


def produce(record: SQSRecord) -> None:
    export_service().run(export_id=str(json.loads(record.body)["export_id"]))
    metrics.add_metric(name="ExportsProduced", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=produce, processor=processor, context=context))
