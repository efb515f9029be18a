"""CSV exports: what an officer asks for and what they get back."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aduan.models.api import Strict
from aduan.models.base import Model


class ExportRequest(Strict):
    kind: Literal["complaints", "statistics"]
    date_from: str = Field(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$", description="Local date YYYY-MM-DD")
    date_to: str = Field(alias="to", pattern=r"^\d{4}-\d{2}-\d{2}$")
    group_by: Literal["agency", "category", "channel", "area"] = "agency"


class ExportView(Model):
    export_id: str
    kind: str
    status: Literal["pending", "running", "done", "failed"]
    date_from: str
    date_to: str
    rows: int | None = None
    bytes: int | None = None
    created_at: str | None = None
    finished_at: str | None = None
    download_url: str | None = Field(default=None, description="Presigned, valid one hour, once done")
    error: str | None = None
