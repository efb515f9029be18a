"""Citizen-facing complaint routes (also used by officers to read a complaint)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query
from aws_lambda_powertools.metrics import MetricUnit

from aduan.models.api import (
    AttachmentRequest,
    AttachmentUpload,
    CommentRequest,
    ComplaintView,
    NewComplaint,
    Page,
    RatingRequest,
    ReopenRequest,
    TimelineEntryView,
)
from aduan.models.limits import limits
from aduan.observability import metrics
from aduan.routes.context import caller, claims_of
from aduan.wiring import me_service, ticket_service

router = Router()
CodePath = Annotated[str, Path(description="Tracking code, e.g. ADU-7K3Q-9G", max_length=20)]
Limit = Annotated[int, Query(ge=1, le=limits().page_size_max, description="Page size (aduan/config/limits.json)")]
Cursor = Annotated[str | None, Query(max_length=2000)]


@router.post("/v1/complaints", tags=["citizen"], summary="File a complaint",
             responses={201: {"description": "Created"}})
def file_complaint(
    body: NewComplaint,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", min_length=8, max_length=128)] = None,
) -> tuple[ComplaintView, int]:
    principal = caller(router)
    if idempotency_key:
        # Imported on use: Powertools' idempotency utility is heavy and most requests carry no key.
        from aduan.services.idempotency import file_once

        view = file_once(principal, idempotency_key, body, router.lambda_context)
    else:
        view = ticket_service().file(principal, body)
    me_service().remember(principal, claims_of(router))  # so they hear back on the email the pool verified
    metrics.add_metric(name="ComplaintsFiled", unit=MetricUnit.Count, value=1)
    return view, 201


@router.get("/v1/complaints/<tracking_code>", tags=["citizen"], summary="Follow a complaint")
def get_complaint(tracking_code: CodePath) -> ComplaintView:
    return ticket_service().get(caller(router), tracking_code)


@router.get("/v1/complaints/<tracking_code>/timeline", tags=["citizen"], summary="A complaint's history")
def get_timeline(tracking_code: CodePath, limit: Limit = 50, cursor: Cursor = None) -> Page[TimelineEntryView]:
    return ticket_service().timeline(caller(router), tracking_code, limit, cursor)


@router.get("/v1/me/complaints", tags=["citizen"], summary="My complaints, newest first")
def my_complaints(limit: Limit = 20, cursor: Cursor = None) -> Page[ComplaintView]:
    return ticket_service().mine(caller(router), limit, cursor)


@router.post("/v1/complaints/<tracking_code>/comments", tags=["citizen"], summary="Comment on a complaint",
             responses={201: {"description": "Created"}})
def add_comment(tracking_code: CodePath, body: CommentRequest) -> tuple[TimelineEntryView, int]:
    return ticket_service().comment(caller(router), tracking_code, body), 201


@router.post("/v1/complaints/<tracking_code>/attachments", tags=["citizen"],
             summary="Get a presigned upload for a photo, video or PDF", responses={201: {"description": "Created"}})
def request_attachment(tracking_code: CodePath, body: AttachmentRequest) -> tuple[AttachmentUpload, int]:
    return ticket_service().request_upload(caller(router), tracking_code, body), 201


@router.post("/v1/complaints/<tracking_code>/rating", tags=["citizen"], summary="Rate the result (1-5)")
def rate(tracking_code: CodePath, body: RatingRequest) -> ComplaintView:
    return ticket_service().rate(caller(router), tracking_code, body)


@router.post("/v1/complaints/<tracking_code>/reopen", tags=["citizen"],
             summary="Reject the resolution and reopen (within the window)")
def reopen(tracking_code: CodePath, body: ReopenRequest) -> ComplaintView:
    return ticket_service().reopen(caller(router), tracking_code, body)
