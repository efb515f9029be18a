"""Entry point of NotifierFunction: events from its queue (EventBridge rules) -> messages on the
delivery queue, and provider status callbacks -> the ticket timeline. Partial batch failures: a failed
event is retried alone, then goes to the DLQ. Like the event relay, no X-Ray SDK and no BatchProcessor
(cold start): Lambda's active tracing records each invocation."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan import settings
from aduan.dal import config_store, template_store
from aduan.dal.contacts import ContactRepository
from aduan.dal.deliveries import DeliveryRepository
from aduan.dal.feedback_store import FeedbackStore
from aduan.dal.tickets import TicketRepository
from aduan.observability import logger, metrics
from aduan.services.feedback import FeedbackService
from aduan.services.me import me_service
from aduan.services.notifier import NotifierService
from aduan.services.outbound import outbound_port
from aduan.sqs_batch import partial_batch


@cache
def notifier() -> NotifierService:
    table = settings.table_name()
    city = lambda: config_store.load_config(table)  # noqa: E731 - read per event, cached by config_store
    return NotifierService(
        tickets=TicketRepository(table), contacts=ContactRepository(table), deliveries=DeliveryRepository(table),
        city=city, config=lambda: template_store.load_templates(table),
        port=outbound_port, people=me_service().contacts,
        feedback=FeedbackService(TicketRepository(table), FeedbackStore(table), city))


def record_handler(record: dict[str, Any]) -> None:
    built = notifier().handle(json.loads(record["body"]))
    metrics.add_metric(name="NotificationsQueued", unit=MetricUnit.Count, value=len(built))


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return partial_batch(event, record_handler)
