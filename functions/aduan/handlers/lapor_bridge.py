"""Entry point of LaporBridgeFunction (EventBridge schedule): pull new SP4N-LAPOR! reports into Aduan
(services/lapor_bridge.py). Pushes back to LAPOR! leave through the notifier and the sender."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan import settings
from aduan.adapters import provider_transport
from aduan.adapters.lapor import HttpsLapor, LaporPort
from aduan.adapters.senders.lapor import api_for
from aduan.dal import channel_secrets
from aduan.dal.config_store import load_config
from aduan.dal.contacts import ContactRepository
from aduan.dal.lapor_state import LaporState
from aduan.dal.tickets import TicketRepository
from aduan.models.lapor import LaporSettings
from aduan.observability import logger, metrics
from aduan.services.lapor_bridge import LaporBridge

SAFETY_MILLIS = 15_000  # no new page this close to the timeout: the next run goes on from the cursor


def https_port(lapor: LaporSettings) -> LaporPort | None:
    """LAPOR! over HTTPS with the token from SSM; None until the city has configured one."""
    token = (channel_secrets.credentials(lapor.token_secret) or {}).get("token")
    if not token:
        logger.warning("SP4N-LAPOR! has no token", extra={"secret": lapor.token_secret})
        return None
    return HttpsLapor(api_for(lapor, token), lapor.page_size, provider_transport.execute)


@cache
def bridge() -> LaporBridge:
    table = settings.table_name()
    return LaporBridge(tickets=TicketRepository(table), contacts=ContactRepository(table),
                       state=LaporState(table), config=lambda: load_config(table), port=https_port)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = bridge().run(has_time=lambda: context.get_remaining_time_in_millis() > SAFETY_MILLIS)
    metrics.add_metric(name="LaporReportsFiled", unit=MetricUnit.Count, value=len(result.filed))
    if result.error:
        metrics.add_metric(name="LaporPullFailures", unit=MetricUnit.Count, value=1)
        logger.warning("SP4N-LAPOR! pull failed", extra={"error": result.error})
    summary = {"configured": result.configured, "pages": result.pages, "filed": result.filed,
               "known": result.known, "error": result.error}
    logger.info("lapor bridge", extra=summary)
    return summary
