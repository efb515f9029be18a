"""What every route needs: the caller, and the services built once per container."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aduan import settings
from aduan.dal.abuse import AbuseStore
from aduan.dal.config_store import load_config
from aduan.dal.exports import ExportRepository
from aduan.dal.sla_store import SlaStore
from aduan.dal.stats import StatsRepository
from aduan.dal.tickets import TicketRepository
from aduan.dal.transparency_store import load_transparency
from aduan.logic.access import Principal, principal_from_claims
from aduan.models.config import CityConfig
from aduan.models.transparency import TransparencyConfig
from aduan.services.abuse import AbuseGuard
from aduan.services.desk import DeskService
from aduan.services.exports import ExportService
from aduan.services.open311 import Open311Service
from aduan.services.public import PublicService
from aduan.services.reports import ReportService
from aduan.services.sla_report import SlaReportService
from aduan.services.stats import StatsService
from aduan.services.tickets import TicketService

if TYPE_CHECKING:
    # Only a type here: the exports worker builds its service from this module without Powertools' resolvers.
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter


def city_config() -> CityConfig:
    return load_config(settings.table_name())


def transparency() -> TransparencyConfig:
    return load_transparency(settings.table_name())


@cache
def public_service() -> PublicService:
    return PublicService(repository=TicketRepository(settings.table_name()), config=city_config,
                         transparency=transparency, bucket=settings.attachments_bucket)


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
    return SlaReportService(SlaStore(settings.table_name()), StatsRepository(settings.table_name()), config=city_config)


def caller(router: BaseRouter) -> Principal:
    """The signed-in user, from the claims API Gateway's Cognito authorizer put in the event."""
    return principal_from_claims(claims_of(router) or None)


def claims_of(router: BaseRouter) -> dict[str, Any]:
    """The user pool's claims (sub, groups, email, phone_number and their *_verified flags)."""
    request_context = router.current_event.get("requestContext") or {}
    authorizer = request_context.get("authorizer") or {}
    claims = authorizer.get("claims") if isinstance(authorizer, dict) else None
    return dict(claims) if isinstance(claims, dict) else {}


@cache
def open311_service() -> Open311Service:
    return Open311Service(repository=TicketRepository(settings.table_name()), tickets=ticket_service(),
                          config=city_config, transparency=transparency, bucket=settings.attachments_bucket)


@cache
def stats_service() -> StatsService:
    return StatsService(repository=StatsRepository(settings.table_name()), config=city_config)


@cache
def report_service() -> ReportService:
    return ReportService(stats=stats_service())


@cache
def export_service() -> ExportService:
    table = settings.table_name()
    return ExportService(records=ExportRepository(table), tickets=TicketRepository(table),
                         stats=StatsRepository(table), config=city_config, transparency=transparency,
                         bucket=settings.exports_bucket, queue_url=settings.export_queue_url)
