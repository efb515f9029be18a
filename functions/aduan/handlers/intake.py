"""Entry point of IntakeFunction: inbound messages from the intake FIFO queue -> complaints and replies.

A failed message is reported back (partial batch response); the FIFO processor then also returns
the rest of that sender's group, so one citizen's messages are never handled out of order, while
other senders' messages in the batch go on. After the queue's maxReceiveCount it lands in the DLQ.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

# What every invocation uses is imported at init (not on the first message); wiring builds it.
import aduan.services.intake  # noqa: F401
from aduan.models.inbound import InboundMessage
from aduan.observability import logger, metrics, tracer
from aduan.wiring import intake_service

processor = SqsFifoPartialProcessor(skip_group_on_error=True)


def take(record: SQSRecord) -> None:
    message = InboundMessage.model_validate_json(record.body)
    logger.append_keys(inbound_id=message.id, channel=message.channel.value)
    intake_service().handle(message)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=take, processor=processor, context=context))
