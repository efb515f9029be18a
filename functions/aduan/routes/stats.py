"""Statistics for officers (scoped by role) and the public's city-wide numbers."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.api_gateway import Response, Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from aduan.routes.context import caller
from aduan.wiring import report_service, stats_service, transparency

router = Router()
Day = Annotated[str | None, Query(max_length=10, description="Local date YYYY-MM-DD")]
GroupBy = Annotated[Literal["agency", "category", "channel", "area"], Query()]


@router.get("/v1/stats", tags=["statistics"],
            summary="Counters, SLA compliance, durations (median, p90), ratings and backlog by group")
def get_stats(date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
              date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
              group_by: GroupBy = "agency",
              agency_id: Annotated[str | None, Query(max_length=64)] = None) -> dict[str, Any]:
    return stats_service().report(caller(router), date_from, date_to, group_by, agency_id)


@router.get("/v1/stats/league", tags=["statistics"], summary="Agencies ranked by SLA compliance, then backlog")
def league(date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
           date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None) -> dict[str, Any]:
    return stats_service().league(caller(router), date_from, date_to)


@router.get("/v1/stats/trending", tags=["statistics"],
            summary="Categories and areas rising fastest in a week (Monday review)")
def trending(week: Annotated[str | None, Query(max_length=10, description="Any day of the week")] = None
             ) -> dict[str, Any]:
    return stats_service().trending(caller(router), week)


@router.get("/v1/stats/reports", tags=["statistics"],
            summary="Weekly or monthly report of the city or an agency, with the trend against the previous period",
            description="received, resolved, overdue, SLA % per stage, ratings, top categories and areas, each with "
                        "the previous period's value; local days in the city's zone. `format=csv` downloads it "
                        "(text/csv, one line per figure, labels in Bahasa Indonesia and English). Verifiers and "
                        "supervisors read the city or any agency; an agency officer only its own agency (403).",
            responses={200: {"description": "The report (JSON), or its CSV with format=csv",
                             "content": {"application/json": {}, "text/csv": {}}}})
def periodic_report(period: Annotated[Literal["weekly", "monthly"], Query()] = "weekly",
                    day: Annotated[str | None, Query(alias="date", max_length=10,
                                                     description="Any local day of the period; default: the "
                                                                 "last complete one")] = None,
                    agency_id: Annotated[str | None, Query(max_length=64)] = None,
                    output: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
                    ) -> Response[str]:
    if output == "csv":
        name, text = report_service().csv(caller(router), period, day, agency_id)
        return Response(status_code=200, content_type="text/csv; charset=utf-8", body=text,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    report = report_service().report(caller(router), period, day, agency_id)
    return Response(status_code=200, content_type="application/json", body=json.dumps(report, ensure_ascii=False))


@router.get("/v1/public/stats", tags=["public"], summary="City-wide numbers (small counts suppressed)")
def public_stats(date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
                 date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None) -> dict[str, Any]:
    return stats_service().public(date_from, date_to, transparency().public.min_cell_count)
