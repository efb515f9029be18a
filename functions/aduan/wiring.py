"""How the running code is wired: every service a handler or a route uses is built here, once per container
(`functools.cache`), and the stores keep their own short-lived caches.

Each factory imports what it builds inside its body: importing this module costs nothing, so a handler pays
at cold start only for the services its own path calls (the API handler would otherwise import every worker's
service, and a worker the API's). `reset()` forgets all of it, so the next call builds everything again
against the current endpoint and tables: the one reset that tests, the bench and local mode use.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import TYPE_CHECKING

from aduan import settings

if TYPE_CHECKING:
    from aduan.adapters.lapor import LaporPort
    from aduan.dal.contacts import ContactRepository
    from aduan.models.config import CityConfig
    from aduan.models.lapor import LaporSettings
    from aduan.models.transparency import TransparencyConfig
    from aduan.services.abuse import AbuseGuard
    from aduan.services.delivery import DeliveryService
    from aduan.services.desk import DeskService
    from aduan.services.exports import ExportService
    from aduan.services.intake import IntakeService
    from aduan.services.lapor_bridge import LaporBridge
    from aduan.services.me import MeService
    from aduan.services.notifier import NotifierService
    from aduan.services.open311 import Open311Service
    from aduan.services.public import PublicService
    from aduan.services.rating_digest import RatingDigestService
    from aduan.services.reports import ReportService
    from aduan.services.routing import RoutingService
    from aduan.services.sla import SlaService
    from aduan.services.sla_report import SlaReportService
    from aduan.services.stats import StatsService
    from aduan.services.tickets import TicketService


# ------------------------------------------------------------------ configuration (cached by its stores)
def city_config() -> CityConfig:
    from aduan.dal.config_store import load_config

    return load_config(settings.table_name())


def transparency() -> TransparencyConfig:
    from aduan.dal.transparency_store import load_transparency

    return load_transparency(settings.table_name())


# ------------------------------------------------------------------ the API's services
@cache
def ticket_service() -> TicketService:
    from aduan.dal.tickets import TicketRepository
    from aduan.services.tickets import TicketService

    return TicketService(repository=TicketRepository(settings.table_name()), config=city_config,
                         bucket=settings.attachments_bucket, guard=abuse_guard())


@cache
def abuse_guard() -> AbuseGuard:
    from aduan.dal.abuse import AbuseStore
    from aduan.services.abuse import AbuseGuard

    return AbuseGuard(AbuseStore(settings.table_name()), lambda: city_config().routing.abuse)


@cache
def public_service() -> PublicService:
    from aduan.dal.tickets import TicketRepository
    from aduan.services.public import PublicService

    return PublicService(repository=TicketRepository(settings.table_name()), config=city_config,
                         transparency=transparency, bucket=settings.attachments_bucket)


@cache
def desk_service() -> DeskService:
    from aduan.services.desk import DeskService

    return DeskService(ticket_service())


@cache
def desk_contacts() -> ContactRepository:
    """The contacts a desk officer's filing records the citizen in."""
    from aduan.dal.contacts import ContactRepository

    return ContactRepository(settings.table_name())


@cache
def sla_report_service() -> SlaReportService:
    from aduan.dal.sla_store import SlaStore
    from aduan.dal.stats import StatsRepository
    from aduan.services.sla_report import SlaReportService

    return SlaReportService(SlaStore(settings.table_name()), StatsRepository(settings.table_name()),
                            config=city_config)


@cache
def open311_service() -> Open311Service:
    from aduan.dal.tickets import TicketRepository
    from aduan.services.open311 import Open311Service

    return Open311Service(repository=TicketRepository(settings.table_name()), tickets=ticket_service(),
                          config=city_config, transparency=transparency, bucket=settings.attachments_bucket)


@cache
def stats_service() -> StatsService:
    from aduan.dal.stats import StatsRepository
    from aduan.services.stats import StatsService

    return StatsService(repository=StatsRepository(settings.table_name()), config=city_config)


@cache
def report_service() -> ReportService:
    """The reports the API shows (the reports worker's sender is `report_sender`)."""
    from aduan.services.reports import ReportService

    return ReportService(stats=stats_service())


@cache
def export_service() -> ExportService:
    """Requested through the API, produced by the exports worker."""
    from aduan.dal.exports import ExportRepository
    from aduan.dal.stats import StatsRepository
    from aduan.dal.tickets import TicketRepository
    from aduan.services.exports import ExportService

    table = settings.table_name()
    return ExportService(records=ExportRepository(table), tickets=TicketRepository(table),
                         stats=StatsRepository(table), config=city_config, transparency=transparency,
                         bucket=settings.exports_bucket, queue_url=settings.export_queue_url)


@cache
def me_service() -> MeService:
    """The citizen's own account; the notifier and the sender use its contacts and device list."""
    from aduan.dal.people import PeopleRepository
    from aduan.services.me import MeService

    return MeService(PeopleRepository(settings.table_name()), local_outbox=settings.local_outbox())


# ------------------------------------------------------------------ the workers' services
@cache
def intake_service() -> IntakeService:
    from aduan.dal.abuse import AbuseStore
    from aduan.dal.contacts import ContactRepository
    from aduan.dal.feedback_store import FeedbackStore
    from aduan.dal.intake_state import IntakeState
    from aduan.dal.tickets import TicketRepository
    from aduan.services.abuse import AbuseGuard
    from aduan.services.feedback import FeedbackService
    from aduan.services.intake import IntakeService
    from aduan.services.media import MediaAttacher
    from aduan.services.outbound import outbound_port

    table = settings.table_name()
    tickets = TicketRepository(table)
    return IntakeService(tickets=tickets, contacts=ContactRepository(table), state=IntakeState(table),
                         outbound=outbound_port, config=city_config,
                         media=MediaAttacher(tickets, settings.attachments_bucket, settings.inbound_bucket),
                         guard=AbuseGuard(AbuseStore(table), lambda: city_config().routing.abuse),
                         feedback=FeedbackService(tickets, FeedbackStore(table), city_config))


@cache
def routing_service() -> RoutingService:
    from aduan.dal.tickets import TicketRepository
    from aduan.services.routing import RoutingService

    return RoutingService(TicketRepository(settings.table_name()), city_config)


@cache
def sla_service() -> SlaService:
    """The SLA clocks: the tracker applies events to them, the sweeper fires what is due."""
    from aduan.dal.sla_store import SlaStore
    from aduan.dal.tickets import TicketRepository
    from aduan.services.sla import SlaService

    return SlaService(SlaStore(settings.table_name()), TicketRepository(settings.table_name()))


@cache
def stats_counter() -> StatsService:
    """The statistics worker's service: it also reads a ticket's timeline to count a batch folded."""
    from aduan.dal.stats import StatsRepository
    from aduan.dal.tickets import TicketRepository
    from aduan.services.stats import StatsService

    table = settings.table_name()
    return StatsService(repository=StatsRepository(table), config=city_config, timeline=TicketRepository(table).events)


@cache
def report_sender() -> ReportService:
    """The reports worker's service: the weekly and monthly reports, sent through the delivery queue."""
    from aduan.dal import template_store
    from aduan.services.outbound import outbound_port
    from aduan.services.reports import ReportService

    table = settings.table_name()
    return ReportService(stats=stats_service(), notifications=lambda: template_store.load_templates(table),
                         port=outbound_port)


@cache
def rating_digest() -> RatingDigestService:
    """The officers' daily rating digest: the notifier keeps ratings, the reports worker sends the digests."""
    from aduan.dal import template_store
    from aduan.dal.ratings import RatingStore
    from aduan.services.outbound import outbound_port
    from aduan.services.rating_digest import RatingDigestService

    table = settings.table_name()
    return RatingDigestService(RatingStore(table), city=city_config,
                               notifications=lambda: template_store.load_templates(table), port=outbound_port)


@cache
def notifier_service() -> NotifierService:
    from aduan.dal import template_store
    from aduan.dal.contacts import ContactRepository
    from aduan.dal.deliveries import DeliveryRepository
    from aduan.dal.feedback_store import FeedbackStore
    from aduan.dal.tickets import TicketRepository
    from aduan.services.feedback import FeedbackService
    from aduan.services.notifier import NotifierService
    from aduan.services.outbound import outbound_port

    table = settings.table_name()
    return NotifierService(
        tickets=TicketRepository(table), contacts=ContactRepository(table), deliveries=DeliveryRepository(table),
        city=city_config, config=lambda: template_store.load_templates(table),
        port=outbound_port, people=me_service().contacts,
        feedback=FeedbackService(TicketRepository(table), FeedbackStore(table), city_config),
        ratings=rating_digest())


@cache
def delivery_service() -> DeliveryService:
    from aduan.dal import template_store
    from aduan.dal.contacts import ContactRepository
    from aduan.dal.deliveries import DeliveryRepository
    from aduan.dal.tickets import TicketRepository
    from aduan.services.delivery import DeliveryService
    from aduan.services.outbound import outbound_port

    table = settings.table_name()
    return DeliveryService(
        deliveries=DeliveryRepository(table), tickets=TicketRepository(table), contacts=ContactRepository(table),
        config=lambda: template_store.load_templates(table), port=outbound_port,
        local_outbox=settings.local_outbox(), forget_device=me_service().forget)


@cache
def lapor_bridge() -> LaporBridge:
    from aduan.dal.contacts import ContactRepository
    from aduan.dal.lapor_state import LaporState
    from aduan.dal.tickets import TicketRepository
    from aduan.services.lapor_bridge import LaporBridge

    table = settings.table_name()
    return LaporBridge(tickets=TicketRepository(table), contacts=ContactRepository(table),
                       state=LaporState(table), config=city_config, port=lapor_port)


def lapor_port(lapor: LaporSettings) -> LaporPort | None:
    """SP4N-LAPOR! over HTTPS with the token from SSM; None until the city has configured one."""
    from aduan.adapters import provider_transport
    from aduan.adapters.lapor import HttpsLapor
    from aduan.adapters.senders.lapor import api_for
    from aduan.dal import channel_secrets
    from aduan.observability import logger

    token = (channel_secrets.credentials(lapor.token_secret) or {}).get("token")
    if not token:
        logger.warning("SP4N-LAPOR! has no token", extra={"secret": lapor.token_secret})
        return None
    return HttpsLapor(api_for(lapor, token), lapor.page_size, provider_transport.execute)


def reset() -> None:
    """Forget every built service, client, secret and cached configuration (each module's `cache_clear`
    is found by walking the imported `aduan` modules: a hand list of them went stale twice)."""
    from aduan.dal import (
        channel_secrets,
        clients,
        config_store,
        external_secrets,
        sla_store,
        template_store,
        transparency_store,
    )

    for name, module in list(sys.modules.items()):
        if name != "aduan" and not name.startswith("aduan."):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == name:
                value.cache_clear()
    clients.reset()
    external_secrets.reset()
    config_store.clear_cache()
    transparency_store.clear_cache()
    sla_store.clear_cache()
    template_store.clear_cache()
    channel_secrets.reset()
