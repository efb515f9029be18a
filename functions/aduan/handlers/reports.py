"""Entry point of ReportsFunction (EventBridge schedule, daily at 07:00 WIB): on Mondays the weekly and on
the 1st the monthly reports of the city and of every agency go to the supervisors and the agency heads,
through the delivery queue like every other message (docs/statistics.md#periodic-reports). A tick that
fires twice sends nothing twice: each (report, period, recipient) is one message id, claimed once."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan import settings
from aduan.dal import config_store, template_store
from aduan.dal.stats import StatsRepository
from aduan.observability import logger, metrics, tracer
from aduan.services.outbound import outbound_port
from aduan.services.reports import ReportService
from aduan.services.stats import StatsService


@cache
def service() -> ReportService:
    table = settings.table_name()
    stats = StatsService(repository=StatsRepository(table), config=lambda: config_store.load_config(table))
    return ReportService(stats=stats, notifications=lambda: template_store.load_templates(table), port=outbound_port)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    sent = service().send_due()
    metrics.add_metric(name="ReportEmailsQueued", unit=MetricUnit.Count, value=len(sent))
    summary = {"queued": len(sent), "reports": sorted({m.cause_id for m in sent})}
    logger.info("periodic reports", extra=summary)
    return summary
