"""Entry point of SlaSweeperFunction (EventBridge schedule): fire every reminder, breach, escalation
rung and auto-close that is due. Reads only what the sparse `sla_due` index says is due; on the hour
it also publishes the overdue count per agency."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan import settings
from aduan.dal.config_store import load_config
from aduan.dal.sla_store import DESK
from aduan.logic import clock
from aduan.observability import logger, metrics, tracer
from aduan.services.sla import SweepResult
from aduan.wiring import sla_service

SAFETY_MILLIS = 5_000  # stop taking new clocks this close to the timeout; the next sweep goes on
METRIC_NAMES = {"reminder": "SlaReminders", "breach": "SlaBreaches", "escalation": "SlaEscalations",
                "auto_close": "SlaAutoClosed"}


def publish_metrics(result: SweepResult) -> None:
    metrics.add_metric(name="SlaClocksRead", unit=MetricUnit.Count, value=result.clocks_read)
    metrics.add_metric(name="SlaSweepConflicts", unit=MetricUnit.Count, value=result.conflicts)
    for kind, count in result.fired.items():
        metrics.add_metric(name=METRIC_NAMES[kind], unit=MetricUnit.Count, value=count)
    for (kind, agency), count in result.by_agency.items():
        with single_metric(name=f"{METRIC_NAMES[kind]}ByAgency", unit=MetricUnit.Count, value=count,
                           namespace=metrics.namespace) as metric:
            metric.add_dimension(name="agency", value=agency)


def publish_overdue_gauges() -> None:
    """Overdue complaints per agency (and the desk), once an hour: one Query of the counts the clocks writes
    keep (dal/sla_store.py), however many agencies and overdue complaints there are."""
    agencies = [agency.id for agency in load_config(settings.table_name()).agencies] + [DESK]
    counts = sla_service().store.overdue_counts()
    for agency in agencies:
        with single_metric(name="SlaOverdueTickets", unit=MetricUnit.Count,
                           value=counts.get(agency, 0), namespace=metrics.namespace) as metric:
            metric.add_dimension(name="agency", value=agency)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    now = clock.now()
    result = sla_service().sweep(now, has_time=lambda: context.get_remaining_time_in_millis() > SAFETY_MILLIS)
    publish_metrics(result)
    if now.minute == 0:
        publish_overdue_gauges()
    summary = {"clocks_read": result.clocks_read, "fired": result.fired, "conflicts": result.conflicts,
               "unfinished": result.unfinished}
    logger.info("sla sweep", extra=summary)
    return summary
