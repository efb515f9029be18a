"""Entry point of ReportsFunction (EventBridge schedules, daily at 07:00 WIB). `Daily`: on Mondays the weekly
and on the 1st the monthly reports of the city and of every agency go to the supervisors and the agency heads
(docs/statistics.md#periodic-reports). `RatingDigest` (its input says `{"job": "rating_digest"}`): each agency
rated the previous local day gets its digest of the ratings (docs/notifications.md#daily-rating-digest).
Both go through the delivery queue like every other message; a tick that fires twice sends nothing twice:
each message id is derived from what it reports and its recipient, and claimed once by the sender."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

# What every invocation uses is imported at init (not on the first message); wiring builds it.
import aduan.services.rating_digest
import aduan.services.reports
import aduan.services.stats  # noqa: F401
from aduan.observability import logger, metrics, tracer
from aduan.wiring import rating_digest, report_sender

RATING_DIGEST = "rating_digest"


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    digest = event.get("job") == RATING_DIGEST
    sent = rating_digest().send_due() if digest else report_sender().send_due()
    metrics.add_metric(name="RatingDigestsQueued" if digest else "ReportEmailsQueued", unit=MetricUnit.Count,
                       value=len(sent))
    summary = {"queued": len(sent), "digests" if digest else "reports": sorted({m.cause_id for m in sent})}
    logger.info("rating digests" if digest else "periodic reports", extra=summary)
    return summary
