"""Entry point of NotifierFunction: events from its queue (EventBridge rules) -> messages on the
delivery queue, and provider status callbacks -> the ticket timeline. Partial batch failures: a failed
event is retried alone, then goes to the DLQ."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan import settings
from aduan.dal import config_store, template_store
from aduan.dal.contacts import ContactRepository
from aduan.dal.deliveries import DeliveryRepository
from aduan.dal.ticket_documents import head_document
from aduan.dal.tickets import TicketRepository
from aduan.observability import logger, metrics, tracer
from aduan.services.notifier import NotifierService
from aduan.services.outbound import outbound_port

processor = BatchProcessor(event_type=EventType.SQS)


@cache
def notifier() -> NotifierService:
    table = settings.table_name()
    return NotifierService(
        tickets=TicketRepository(table), contacts=ContactRepository(table), deliveries=DeliveryRepository(table),
        city=lambda: config_store.load_config(table), config=lambda: template_store.load_templates(table),
        port=outbound_port, head=lambda code: head_document(table, code))


def record_handler(record: SQSRecord) -> None:
    envelope = json.loads(record.body)
    built = notifier().handle(envelope)
    metrics.add_metric(name="NotificationsQueued", unit=MetricUnit.Count, value=len(built))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                         context=context))
