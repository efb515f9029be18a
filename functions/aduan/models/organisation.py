"""How the city government is organised beyond its own agencies: the neighbouring governments a
complaint about a place outside the city belongs to (docs/organisation.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Agency kinds that are sub-units, and the kinds their parent may be.
SUB_UNIT_PARENTS: dict[str, frozenset[str]] = {
    "bidang": frozenset({"opd", "bumd"}),
    "uptd": frozenset({"opd"}),
    "kelurahan": frozenset({"kecamatan"}),
}


class Neighbour(BaseModel):
    """A neighbouring government: where it is (approximately) and how a citizen reaches it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    contact: str | None = Field(default=None, max_length=300)  # its complaint channel, told to the citizen
    geometry: dict[str, Any]  # GeoJSON Polygon or MultiPolygon, positions [lon, lat]

    @field_validator("geometry")
    @classmethod
    def _geometry_shape(cls, value: dict[str, Any]) -> dict[str, Any]:
        from aduan.models.config import _check_geometry

        _check_geometry(value)
        return value
