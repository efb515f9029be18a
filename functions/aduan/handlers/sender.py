"""Entry point of SenderFunction: outbound messages from the delivery queue -> providers (or the local
outbox). A transient failure postpones that message (exponential backoff through its visibility timeout)
and reports it as a batch item failure; after maxReceiveCount receives it lands in the DLQ."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan import settings
from aduan.dal import delivery_queue, template_store
from aduan.dal.contacts import ContactRepository
from aduan.dal.deliveries import DeliveryRepository
from aduan.dal.tickets import TicketRepository
from aduan.models.outbound import OutboundMessage
from aduan.observability import logger, metrics, tracer
from aduan.services.delivery import DeliveryService, RetryLater
from aduan.services.outbound import outbound_port

processor = BatchProcessor(event_type=EventType.SQS)


@cache
def delivery() -> DeliveryService:
    table = settings.table_name()
    return DeliveryService(
        deliveries=DeliveryRepository(table), tickets=TicketRepository(table), contacts=ContactRepository(table),
        config=lambda: template_store.load_templates(table), port=outbound_port,
        local_outbox=settings.local_outbox())


def record_handler(record: SQSRecord) -> None:
    message = OutboundMessage.model_validate_json(record.body)
    try:
        outcome = delivery().deliver(message)
    except RetryLater as retry:
        delivery_queue.postpone(record.receipt_handle, retry.seconds)
        metrics.add_metric(name="NotificationRetries", unit=MetricUnit.Count, value=1)
        raise
    metrics.add_metric(name=f"Notifications_{outcome}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                         context=context))
