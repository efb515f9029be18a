"""Reference data for the app (public: no sign-in needed)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from aduan.models.config import Agency, Area, Category
from aduan.wiring import city_config

router = Router()


@router.get("/v1/categories", tags=["reference"], summary="Complaint categories")
def categories() -> list[Category]:
    return list(city_config().categories)


@router.get("/v1/agencies", tags=["reference"], summary="Agencies (OPD, BUMD, kecamatan)")
def agencies() -> list[Agency]:
    return [agency.model_copy(update={"forward": agency.forward.published()}) if agency.forward else agency
            for agency in city_config().agencies]


@router.get("/v1/areas", tags=["reference"], summary="Administrative areas (without boundaries)")
def areas() -> list[Area]:
    return [area.model_copy(update={"geometry": None}) for area in city_config().areas]
