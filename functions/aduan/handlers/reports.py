"""Entry point of ReportsFunction (EventBridge schedule, daily at 07:00 WIB): on Mondays the weekly and on
the 1st the monthly reports of the city and of every agency go to the supervisors and the agency heads,
through the delivery queue like every other message (docs/statistics.md#periodic-reports). A tick that
fires twice sends nothing twice: each (report, period, recipient) is one message id, claimed once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

# What every invocation uses is imported at init (not on the first message); wiring builds it.
import aduan.services.reports
import aduan.services.stats  # noqa: F401
from aduan.observability import logger, metrics, tracer
from aduan.wiring import report_sender


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    sent = report_sender().send_due()
    metrics.add_metric(name="ReportEmailsQueued", unit=MetricUnit.Count, value=len(sent))
    summary = {"queued": len(sent), "reports": sorted({m.cause_id for m in sent})}
    logger.info("periodic reports", extra=summary)
    return summary
