"""CSV exports for officers: ask (202), then poll for the presigned link."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from aduan.models.exports import ExportRequest, ExportView
from aduan.routes.context import caller
from aduan.wiring import export_service

router = Router()


@router.post("/v1/exports", tags=["statistics"], summary="Ask for a CSV export of complaints or statistics",
             responses={202: {"description": "Accepted: poll GET /v1/exports/{export_id}"}})
def request_export(body: ExportRequest) -> tuple[ExportView, int]:
    return export_service().request(caller(router), body), 202


@router.get("/v1/exports/<export_id>", tags=["statistics"], summary="An export's status and, once done, its link")
def get_export(export_id: Annotated[str, Path(max_length=40)]) -> ExportView:
    return export_service().get(caller(router), export_id)
