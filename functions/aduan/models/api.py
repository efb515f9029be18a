"""Request and response bodies of the HTTPS API (the OpenAPI document is generated from these)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, model_validator

from aduan.logic import text as cleaning
from aduan.logic.status_machine import Action
from aduan.models.base import Model
from aduan.models.ticket import ComplaintType, DuplicateCandidate, Suggestion

ALLOWED_UPLOAD_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "video/mp4", "video/quicktime",
                        "application/pdf")
UploadType = Literal["image/jpeg", "image/png", "image/webp", "image/heic", "video/mp4", "video/quicktime",
                     "application/pdf"]
MAX_UPLOAD_BYTES = {"image": 10 * 1024 * 1024, "video": 50 * 1024 * 1024, "application": 10 * 1024 * 1024}

T = TypeVar("T")
TEXT_MAX = 5000


def _cleaned(cleaner: Callable[[str], str]) -> BeforeValidator:
    return BeforeValidator(lambda value: cleaner(value) if isinstance(value, str) else value)


def _readable(value: str) -> str:
    if value and not cleaning.visible(value):
        raise ValueError("has no visible characters")
    return value


# Free text from outside: control characters removed before the length rules, invisible-only text refused.
Line = Annotated[str, _cleaned(cleaning.clean_line), AfterValidator(_readable)]
Prose = Annotated[str, _cleaned(cleaning.clean), AfterValidator(_readable)]


class Strict(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LocationIn(Strict):
    lat: float | None = Field(strict=True, default=None, ge=-90, le=90, description="Latitude (WGS84)")
    lon: float | None = Field(strict=True, default=None, ge=-180, le=180, description="Longitude (WGS84)")
    address: Line | None = Field(default=None, max_length=500)
    area_code: str | None = Field(default=None, max_length=20, description="Kecamatan/kelurahan code")

    @model_validator(mode="after")
    def _both_coordinates(self) -> LocationIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together")
        if self.lat is None and not self.address and not self.area_code:
            raise ValueError("give coordinates, an address or an area code")
        return self


class NewComplaint(Strict):
    title: Line = Field(min_length=3, max_length=200, examples=["Jalan berlubang di Jl. Pandanaran"])
    text: Prose = Field(min_length=10, max_length=TEXT_MAX)
    category_id: str | None = Field(default=None, max_length=64)
    location: LocationIn | None = None
    anonymous: bool = Field(strict=True, default=False, description="Hide the reporter from agencies and the public")
    confidential: bool = Field(strict=True, default=False, description="Never publish the content")
    channel: Literal["app", "web"] = "app"
    contact: str | None = Field(
        default=None, max_length=320, pattern=r"^(?:[^@\s]+@[^@\s]+\.[A-Za-z]{2,}|\+?[0-9][0-9 ().-]{6,19})$",
        description="An email address or phone number to hear back on (besides the app), e.g. for web reporters")
    complaint_type: ComplaintType = Field(default=ComplaintType.PENGADUAN,
                                          description="pengaduan, aspirasi or permintaan_informasi")


class TransitionRequest(Strict):
    action: Action
    expected_version: int = Field(strict=True, ge=1, description="The version you acted on (optimistic concurrency)")
    note: Prose | None = Field(default=None, max_length=TEXT_MAX)
    reason: Prose | None = Field(default=None, max_length=2000)
    agency_id: str | None = Field(default=None, max_length=64)
    duplicate_of: str | None = Field(default=None, max_length=20, description="Tracking code of the original")
    response: Prose | None = Field(default=None, max_length=10000, description="The agency's answer")
    complaint_type: ComplaintType | None = Field(default=None, description="set_type: the kind of report")


class CommentRequest(Strict):
    text: Prose = Field(min_length=1, max_length=TEXT_MAX)
    internal: bool = Field(strict=True, default=False, description="Officers only: a note citizens never see")


class RatingRequest(Strict):
    score: int = Field(strict=True, ge=1, le=5)
    comment: Prose | None = Field(default=None, max_length=2000)


class ReopenRequest(Strict):
    reason: Prose = Field(min_length=5, max_length=2000)
    expected_version: int = Field(strict=True, ge=1)


class AttachmentRequest(Strict):
    filename: str = Field(min_length=1, max_length=200, pattern=r"^[^/\\\x00-\x1f]+$")
    content_type: UploadType
    size_bytes: int = Field(strict=True, ge=1, le=50 * 1024 * 1024)


class StatusLabel(Model):
    id: str
    en: str


class ReporterView(Model):
    ref: str
    name: str | None = None
    contact: str | None = None


class RatingView(Model):
    score: int
    comment: str | None = None
    given_at: str | None = None


class AttachmentView(Model):
    id: str
    filename: str
    content_type: str
    created_at: str | None = None
    download_url: str | None = None


class LocationView(Model):
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    area_code: str | None = None


class SlaStatusView(Model):
    stage: str = Field(description="verification, disposition, first_response, resolution or citizen_reply")
    stage_label: StatusLabel
    state: str = Field(description="running, or paused while waiting for the reporter")
    due_at: str
    time_left_seconds: int = Field(description="Negative once the deadline has passed")
    overdue: bool
    policy: str = Field(description="SLA policy and version this deadline was set under")


class SlaStageCompliance(Model):
    stage: str
    stopped: int
    met: int
    compliance_percent: float | None


class OverdueItem(Model):
    tracking_code: str
    stages: list[str]
    overdue_since: str | None


class SlaReport(Model):
    agency_id: str
    period_from: str
    period_to: str
    stopped: int
    met: int
    compliance_percent: float | None = Field(description="Share of stage clocks stopped in the period on time")
    by_stage: list[SlaStageCompliance]
    overdue: list[OverdueItem]


class ComplaintView(Model):
    id: str
    tracking_code: str
    title: str
    text: str
    category_id: str | None = None
    location: LocationView | None = None
    channel: str
    status: str
    status_label: StatusLabel
    priority: str
    assigned_agency_id: str | None = None
    agency_path: list[str] = Field(default_factory=list, description="The holder and the agencies above it")
    complaint_type: str = "pengaduan"
    complaint_type_label: StatusLabel | None = None
    answer_draft: str | None = Field(default=None, description="The answer awaiting desk review (officers)")
    outside_city: bool = Field(default=False, description="The point lies outside the city (officers)")
    anonymous: bool
    confidential: bool
    reporter: ReporterView | None = Field(default=None, description="Absent when hidden from the caller")
    duplicate_of: str | None = None
    rejection_reason: str | None = None
    resolution: str | None = None
    rating: RatingView | None = None
    reopen_count: int = 0
    created_at: str | None
    updated_at: str | None
    status_since: str | None
    resolved_at: str | None = None
    closed_at: str | None = None
    version: int
    attachments: list[AttachmentView] = Field(default_factory=list)
    expected_datetime: str | None = Field(default=None, description="Open311: when resolution is due")
    overdue: bool = False
    next_due_at: str | None = Field(default=None, description="The soonest deadline of an open SLA stage")
    sla: SlaStatusView | None = Field(default=None, description="The stage whose deadline comes first")
    allowed_actions: list[str] = Field(default_factory=list, description="What the caller may do next")
    duplicate_count: int = Field(default=0, description="Also reported by N (duplicates merged into it)")
    suggestion: Suggestion | None = Field(default=None, description="Triage's suggestion and why (officers)")
    duplicate_candidates: list[DuplicateCandidate] = Field(
        default_factory=list, description="Likely duplicates nearby (officers)")


class CreatedComplaint(Model):
    id: str
    tracking_code: str
    status: str
    version: int
    created_at: str | None


class TimelineEntryView(Model):
    event_id: str
    type: str
    at: str | None
    actor_role: str
    actor_id: str | None = None
    from_status: str | None = None
    to_status: str | None = None
    action: str | None = None
    note: str | None = None
    internal: bool = False
    data: dict[str, object] = Field(default_factory=dict)


class Page(Model, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(default=None, description="Pass as ?cursor= for the next page")


class AttachmentUpload(Model):
    attachment_id: str
    upload_url: str
    fields: dict[str, str]
    expires_in_seconds: int
    max_bytes: int


class ErrorDetail(Model):
    code: str
    message: str
    details: object | None = None


class ErrorResponse(Model):
    error: ErrorDetail
