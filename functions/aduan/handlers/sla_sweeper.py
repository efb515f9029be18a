"""Entry point of SlaSweeperFunction (EventBridge schedule): fire every reminder, breach, escalation
rung and auto-close that is due. Reads only what the sparse `sla_due` index says is due."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan import settings
from aduan.dal.sla_store import SlaStore
from aduan.dal.tickets import TicketRepository
from aduan.logic import clock
from aduan.observability import logger, metrics, tracer
from aduan.services.sla import SlaService, SweepResult

METRIC_NAMES = {"reminder": "SlaReminders", "breach": "SlaBreaches", "escalation": "SlaEscalations",
                "auto_close": "SlaAutoClosed"}


@cache
def service() -> SlaService:
    return SlaService(SlaStore(settings.table_name()), TicketRepository(settings.table_name()))


def publish_metrics(result: SweepResult) -> None:
    metrics.add_metric(name="SlaClocksRead", unit=MetricUnit.Count, value=result.clocks_read)
    metrics.add_metric(name="SlaSweepConflicts", unit=MetricUnit.Count, value=result.conflicts)
    for kind, count in result.fired.items():
        metrics.add_metric(name=METRIC_NAMES[kind], unit=MetricUnit.Count, value=count)
    for (kind, agency), count in result.by_agency.items():
        with single_metric(name=f"{METRIC_NAMES[kind]}ByAgency", unit=MetricUnit.Count, value=count,
                           namespace=metrics.namespace) as metric:
            metric.add_dimension(name="agency", value=agency)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = service().sweep(clock.now())
    publish_metrics(result)
    summary = {"clocks_read": result.clocks_read, "fired": result.fired, "conflicts": result.conflicts}
    logger.info("sla sweep", extra=summary)
    return summary
