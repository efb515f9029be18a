"""What every route needs: the caller, and the services built once per container."""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from aduan import settings
from aduan.dal.abuse import AbuseStore
from aduan.dal.config_store import load_config
from aduan.dal.sla_store import SlaStore
from aduan.dal.tickets import TicketRepository
from aduan.logic.access import Principal, principal_from_claims
from aduan.models.config import CityConfig
from aduan.services.abuse import AbuseGuard
from aduan.services.desk import DeskService
from aduan.services.sla_report import SlaReportService
from aduan.services.tickets import TicketService


def city_config() -> CityConfig:
    return load_config(settings.table_name())


@cache
def ticket_service() -> TicketService:
    return TicketService(
        repository=TicketRepository(settings.table_name()),
        config=city_config,
        bucket=settings.attachments_bucket,
        guard=abuse_guard(),
    )


@cache
def abuse_guard() -> AbuseGuard:
    return AbuseGuard(AbuseStore(settings.table_name()), lambda: city_config().routing.abuse)


@cache
def desk_service() -> DeskService:
    return DeskService(ticket_service())


@cache
def sla_report_service() -> SlaReportService:
    return SlaReportService(SlaStore(settings.table_name()), config=city_config)


def caller(router: BaseRouter) -> Principal:
    """The signed-in user, from the claims API Gateway's Cognito authorizer put in the event."""
    request_context = router.current_event.get("requestContext") or {}
    authorizer = request_context.get("authorizer") or {}
    claims = authorizer.get("claims") if isinstance(authorizer, dict) else None
    return principal_from_claims(claims)
