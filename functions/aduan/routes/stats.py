"""Statistics for officers (scoped by role) and the public's city-wide numbers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from aduan.routes.context import caller, stats_service, transparency

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


@router.get("/v1/public/stats", tags=["public"], summary="City-wide numbers (small counts suppressed)")
def public_stats(date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
                 date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None) -> dict[str, Any]:
    return stats_service().public(date_from, date_to, transparency().public.min_cell_count)
