"""How the city government is organised beyond its own agencies: the neighbouring governments a
complaint about a place outside the city belongs to (docs/organisation.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from aduan.models.base import Model

# Agency kinds that are sub-units, and the kinds their parent may be.
SUB_UNIT_PARENTS: dict[str, frozenset[str]] = {
    "bidang": frozenset({"opd", "bumd"}),
    "uptd": frozenset({"opd"}),
    "kelurahan": frozenset({"kecamatan"}),
}


class Forwarding(Model):
    """How a body outside the city government receives a forwarded complaint (docs/organisation.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    channel: Literal["email"] = "email"  # sent to the agency's `emails` through the notifier
    answer_days: int = Field(default=14, ge=1, le=90, description="what we ask of them; the SLA stage decides")
    # It may answer by signed callback (POST /v1/external/<agency id>/answers); its HMAC key is the SSM
    # SecureString <EXTERNAL_SECRETS_PREFIX><agency id> (docs/organisation.md#signed-answer-callback).
    signed_callback: bool = False


class Neighbour(Model):
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


class ExternalAnswer(Model):
    """What a body we forwarded to sends back (signed JSON)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    tracking_code: str = Field(min_length=5, max_length=20)
    answer: str = Field(min_length=3, max_length=10000)
    reference: str | None = Field(default=None, max_length=200, description="the body's own case number")


class ExternalAnswerReceipt(Model):
    tracking_code: str
    status: str
