"""Officer routes: the verification desk, agency queues, and lifecycle transitions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.metrics import MetricUnit

from aduan.logic.status_machine import Status
from aduan.models.abuse import BlockedSender, BlockRequest, UnblockRequest
from aduan.models.api import ComplaintView, Page, SlaReport, TransitionRequest
from aduan.models.desk_bulk import BulkRequest, BulkResult
from aduan.observability import metrics
from aduan.routes.complaints import CodePath, Cursor, Limit
from aduan.routes.context import caller
from aduan.wiring import abuse_guard, desk_service, sla_report_service, ticket_service

router = Router()
Order = Annotated[Literal["oldest", "urgent", "due"], Query(
    description="oldest first, most urgent first, or soonest SLA deadline first (only complaints with a running "
                "deadline)")]


PeriodFrom = Annotated[date | None, Query(alias="from", description="first day (default: 30 days back)")]
PeriodTo = Annotated[date | None, Query(alias="to", description="last day (default: today)")]


@router.post("/v1/complaints/<tracking_code>/transitions", tags=["officer"],
             summary="Move a complaint through its lifecycle")
def transition(tracking_code: CodePath, body: TransitionRequest) -> ComplaintView:
    view = ticket_service().transition(caller(router), tracking_code, body)
    metrics.add_metric(name=f"Action_{body.action.value}", unit=MetricUnit.Count, value=1)
    return view


@router.get("/v1/desk/complaints", tags=["officer"], summary="The verification desk queue")
def desk_queue(status: Annotated[Status, Query()] = Status.RECEIVED, order: Order = "oldest",
               limit: Limit = 50, cursor: Cursor = None) -> Page[ComplaintView]:
    return ticket_service().desk_queue(caller(router), status, order, limit, cursor)


@router.post("/v1/desk/bulk", tags=["officer"], summary="One action on many complaints (answered per item)")
def desk_bulk(body: BulkRequest) -> BulkResult:
    result = desk_service().bulk(caller(router), body)
    metrics.add_metric(name="DeskBulkItems", unit=MetricUnit.Count, value=len(body.items))
    return result


@router.get("/v1/agencies/<agency_id>/complaints", tags=["officer"], summary="An agency's queue")
def agency_queue(agency_id: Annotated[str, Path(max_length=64)],
                 status: Annotated[Status, Query()] = Status.ASSIGNED, order: Order = "oldest",
                 limit: Limit = 50, cursor: Cursor = None) -> Page[ComplaintView]:
    return ticket_service().agency_queue(caller(router), agency_id, status, order, limit, cursor)


@router.get("/v1/agencies/<agency_id>/sla", tags=["officer"],
            summary="SLA compliance of an agency for a period, and its complaints overdue now")
def agency_sla(agency_id: Annotated[str, Path(max_length=64)],
               since: PeriodFrom = None, until: PeriodTo = None) -> SlaReport:
    return sla_report_service().report(caller(router), agency_id, since, until)


@router.get("/v1/blocked-senders", tags=["supervisor"], summary="The block list (supervisors)")
def blocked_senders(limit: Limit = 50, cursor: Cursor = None) -> Page[BlockedSender]:
    entries, next_cursor = abuse_guard().blocked(caller(router), limit, cursor)
    return Page(items=entries, next_cursor=next_cursor)


@router.post("/v1/blocked-senders", tags=["supervisor"], summary="Block a sender: nothing they send is filed",
             responses={201: {"description": "Created"}})
def block_sender(body: BlockRequest) -> tuple[BlockedSender, int]:
    return abuse_guard().block(caller(router), body.sender_ref, body.reason), 201


@router.post("/v1/blocked-senders/unblock", tags=["supervisor"], summary="Lift a block (kept in history)")
def unblock_sender(body: UnblockRequest) -> BlockedSender:
    return abuse_guard().unblock(caller(router), body.sender_ref)
