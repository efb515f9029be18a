"""What anyone may see without signing in: the public feed of complaints and city-wide numbers."""

from __future__ import annotations

from pydantic import Field

from aduan.models.api import StatusLabel
from aduan.models.base import Model


class PublicLocation(Model):
    lat: float | None = None
    lon: float | None = None
    address: str | None = Field(default=None, description="Omitted for anonymous complaints")
    area_code: str | None = None
    coarsened: bool = Field(default=False, description="Coordinates rounded (anonymous complaint)")


class PublicPhoto(Model):
    id: str
    content_type: str
    url: str | None = None


class PublicStep(Model):
    """One public step of a complaint's timeline: a change of status, in words, in the city's zone."""

    at: str | None = Field(description="When, in the city's zone (ISO 8601 with offset)")
    status: str = Field(description="The status the complaint reached")
    label: StatusLabel = Field(description="The step in words, Bahasa Indonesia and English")
    agency_id: str | None = Field(default=None, description="The agency named in the step, if any")
    agency_name: str | None = Field(default=None, description="Its short name")
    answer: str | None = Field(default=None, description="The agency's answer (latest resolution only), "
                                                         "personal data masked")


class PublicComplaint(Model):
    tracking_code: str
    title: str | None = Field(default=None, description="Shown once the desk has verified the complaint")
    text: str | None = Field(default=None, description="As verified, personal data masked")
    category_id: str | None = None
    location: PublicLocation | None = None
    channel: str
    status: str
    status_label: StatusLabel
    assigned_agency_id: str | None = None
    resolution: str | None = None
    rating_score: int | None = None
    created_at: str | None
    updated_at: str | None
    resolved_at: str | None = None
    closed_at: str | None = None
    expected_at: str | None = Field(default=None, description="Resolution due (SLA), if set")
    photos: list[PublicPhoto] = Field(default_factory=list)
    steps: list[PublicStep] = Field(default_factory=list, description=(
        "Public steps of the timeline, oldest first (only when one complaint is read by its tracking "
        "code; empty in the feed): no identity, no officer, no internal step or note"))
