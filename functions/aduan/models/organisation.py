"""How the city government is organised beyond its own agencies: the neighbouring governments a
complaint about a place outside the city belongs to (docs/organisation.md)."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Agency kinds that are sub-units, and the kinds their parent may be.
SUB_UNIT_PARENTS: dict[str, frozenset[str]] = {
    "bidang": frozenset({"opd", "bumd"}),
    "uptd": frozenset({"opd"}),
    "kelurahan": frozenset({"kecamatan"}),
}


# A secret's name: the last part of an SSM parameter path under CHANNEL_SECRETS_PREFIX. A forward's own
# key is named forward-<…>, so it never collides with a channel provider's secrets and the deploy
# script (infra/deploy/channel_secrets.py) knows what it must hold.
SECRET_NAME = r"^[a-z0-9][a-z0-9_-]{0,62}$"
FORWARD_SECRET = r"^forward-[a-z0-9][a-z0-9_-]{0,54}$"
# Local fakes listen on loopback over plain HTTP; anything else must be HTTPS.
_LOOPBACK = ("http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/")


def https_or_loopback(url: str) -> str:
    if not url.startswith("https://") and not url.startswith(_LOOPBACK):
        raise ValueError(f"{url!r} must be an https:// URL (plain http only to a local fake on 127.0.0.1)")
    return url.rstrip("/")


class Forwarding(BaseModel):
    """How a body outside the city government receives a forwarded complaint (docs/organisation.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    # email: to the agency's `emails` through the notifier; webhook: a signed JSON POST to `url`;
    # lapor: submitted to SP4N-LAPOR! through the bridge's adapter (settings.json `lapor`).
    channel: Literal["email", "webhook", "lapor"] = "email"
    answer_days: int = Field(default=14, ge=1, le=90, description="what we ask of them; the SLA stage decides")
    # It may answer by signed callback (POST /v1/external/<agency id>/answers); its HMAC key is the SSM
    # SecureString <EXTERNAL_SECRETS_PREFIX><agency id> (docs/organisation.md#signed-answer-callback).
    signed_callback: bool = False
    url: str | None = Field(default=None, max_length=2000, description="webhook: where the forward is POSTed")
    # webhook: the SSM SecureString <CHANNEL_SECRETS_PREFIX><secret>, JSON {"signing_key": …}
    secret: str | None = Field(default=None, pattern=FORWARD_SECRET)
    timeout_seconds: float = Field(default=10.0, gt=0, le=15)  # the sender function has 30 s in all

    def published(self) -> Forwarding:
        """What GET /v1/agencies shows: that and how long the body answers, not where its systems are."""
        return self.model_copy(update={"url": None, "secret": None})

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return https_or_loopback(value) if value is not None else None

    @model_validator(mode="after")
    def _webhook_complete(self) -> Self:
        if self.channel == "webhook" and not (self.url and self.secret):
            raise ValueError("forward by webhook needs `url` and `secret` (the name of its signing key)")
        return self


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


class ExternalAnswer(BaseModel):
    """What a body we forwarded to sends back (signed JSON)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    tracking_code: str = Field(min_length=5, max_length=20)
    answer: str = Field(min_length=3, max_length=10000)
    reference: str | None = Field(default=None, max_length=200, description="the body's own case number")


class ExternalAnswerReceipt(BaseModel):
    tracking_code: str
    status: str
