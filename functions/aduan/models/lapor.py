"""SP4N-LAPOR! as Aduan sees it: how to reach it (city settings, data) and what travels between us.

LAPOR!'s integration API is not public (docs/lapor.md): these shapes are the contract the adapter
assumes and the local fake serves, to be mapped onto the real one when the city receives it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aduan.models.organisation import SECRET_NAME, https_or_loopback
from aduan.models.ticket import ComplaintType

# LAPOR!'s classification of a report (its admin manual names these three, besides WBS and RAPS).
LaporType = Literal["pengaduan", "aspirasi", "permintaan_informasi"]


class LaporSettings(BaseModel):
    """settings.json `lapor`: where the bridge reaches LAPOR! and how patiently."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    enabled: bool = True
    base_url: str = Field(max_length=2000, description="the integration API root given to the city")
    # The SSM SecureString <CHANNEL_SECRETS_PREFIX><token_secret>, JSON {"token": …}: the Bearer token.
    token_secret: str = Field(default="lapor", pattern=SECRET_NAME)
    timeout_seconds: float = Field(default=10.0, gt=0, le=15)  # the sender function has 30 s in all
    page_size: int = Field(default=50, ge=1, le=200)
    max_pages: int = Field(default=5, ge=1, le=50, description="pages pulled per scheduled run")

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return https_or_loopback(value)


class LaporLocation(BaseModel):
    model_config = ConfigDict(extra="ignore")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    address: str | None = Field(default=None, max_length=500)


class LaporReport(BaseModel):
    """A report filed on LAPOR! and disposed to the city (fields we do not use are ignored)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$", description="LAPOR!'s tracking id")
    title: str | None = Field(default=None, max_length=300)
    text: str = Field(min_length=1, max_length=10000)
    type: LaporType = "pengaduan"
    submitted_at: str | None = Field(default=None, max_length=40)
    reporter_name: str | None = Field(default=None, max_length=200)
    anonymous: bool = False
    confidential: bool = False
    location: LaporLocation | None = None

    @property
    def complaint_type(self) -> ComplaintType:
        return ComplaintType(self.type)


class LaporPage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reports: list[LaporReport] = Field(default_factory=list)
    next_cursor: str | None = Field(default=None, max_length=500)
