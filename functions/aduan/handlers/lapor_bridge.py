"""Entry point of LaporBridgeFunction (EventBridge schedule): pull new SP4N-LAPOR! reports into Aduan
(services/lapor_bridge.py). Pushes back to LAPOR! leave through the notifier and the sender."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

# What every invocation uses is imported at init (not on the first message); wiring builds it.
import aduan.services.lapor_bridge  # noqa: F401
from aduan.observability import logger, metrics
from aduan.wiring import lapor_bridge

SAFETY_MILLIS = 15_000  # no new page this close to the timeout: the next run goes on from the cursor


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = lapor_bridge().run(has_time=lambda: context.get_remaining_time_in_millis() > SAFETY_MILLIS)
    metrics.add_metric(name="LaporReportsFiled", unit=MetricUnit.Count, value=len(result.filed))
    if result.error:
        metrics.add_metric(name="LaporPullFailures", unit=MetricUnit.Count, value=1)
        logger.warning("SP4N-LAPOR! pull failed", extra={"error": result.error})
    summary = {"configured": result.configured, "pages": result.pages, "filed": result.filed,
               "known": result.known, "error": result.error}
    logger.info("lapor bridge", extra=summary)
    return summary
