"""The public transparency feed (no sign-in): published complaints and city-wide numbers."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from aduan.models.api import AttachmentView, Page
from aduan.models.base import Model
from aduan.models.public import PublicComplaint
from aduan.routes.complaints import CodePath, Cursor
from aduan.routes.context import caller
from aduan.services.public import FeedQuery
from aduan.wiring import public_service

router = Router()
Day = Annotated[str | None, Query(max_length=10, description="Local date YYYY-MM-DD")]


class PhotoVisibility(Model):
    public: bool


@router.get("/v1/public/complaints", tags=["public"],
            summary="Published complaints, newest first (no sign-in; identity never shown)")
def public_complaints(
    area: Annotated[str | None, Query(max_length=20)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Cursor = None,
) -> Page[PublicComplaint]:
    query = FeedQuery(area=area, category=category, status=status, date_from=date_from, date_to=date_to)
    return public_service().feed(query, limit, cursor)


@router.get("/v1/public/complaints/<tracking_code>", tags=["public"],
            summary="A complaint by its tracking code, with the public steps of its timeline (no sign-in)",
            description="Status in words, dates in the city's zone and the public steps (status changes, the "
                        "agency it went to, the agency's answer); never the reporter, an officer, a note or an "
                        "internal step. Text, location and photos only once verified; confidential: 404.")
def public_complaint(tracking_code: CodePath) -> PublicComplaint:
    return public_service().complaint(tracking_code)


@router.post("/v1/complaints/<tracking_code>/attachments/<attachment_id>/visibility", tags=["officer"],
             summary="Show or hide a photo in the public feed (desk and supervisors)")
def photo_visibility(tracking_code: CodePath, attachment_id: Annotated[str, Path(max_length=40)],
                     body: PhotoVisibility) -> AttachmentView:
    return public_service().set_photo_public(caller(router), tracking_code, attachment_id, body.public)
