"""Officers file complaints received face to face, by phone, radio or newspaper."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.metrics import MetricUnit

from aduan.models.api import ComplaintView
from aduan.models.desk import DeskComplaint
from aduan.observability import metrics
from aduan.routes.context import caller
from aduan.services.desk_intake import file_for_citizen
from aduan.wiring import desk_contacts, ticket_service

router = Router()


@router.post("/v1/desk/complaints", tags=["officer"], summary="File a complaint received at the desk, by phone, "
             "radio or newspaper", responses={201: {"description": "Created"}})
def file_desk_complaint(body: DeskComplaint) -> tuple[ComplaintView, int]:
    view = file_for_citizen(ticket_service(), desk_contacts(), caller(router), body)
    metrics.add_metric(name="DeskComplaintsFiled", unit=MetricUnit.Count, value=1)
    return view, 201
