"""Request and answer of the desk's bulk actions (POST /v1/desk/bulk)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from aduan.models.api import Prose
from aduan.models.base import Model

BulkAction = Literal["accept_suggestion", "verify", "assign", "hold", "reject", "mark_duplicate"]
MAX_BULK = 50


class BulkItem(Model):
    model_config = ConfigDict(extra="forbid")
    tracking_code: str = Field(max_length=20)
    expected_version: int = Field(strict=True, ge=1)


class BulkRequest(Model):
    model_config = ConfigDict(extra="forbid")
    action: BulkAction = Field(description="accept_suggestion: verify if needed, then assign to the suggested agency")
    items: list[BulkItem] = Field(min_length=1, max_length=MAX_BULK)
    agency_id: str | None = Field(default=None, max_length=64)
    reason: Prose | None = Field(default=None, max_length=2000)
    note: Prose | None = Field(default=None, max_length=5000)
    duplicate_of: str | None = Field(default=None, max_length=20)

    @model_validator(mode="after")
    def _distinct(self) -> BulkRequest:
        codes = [item.tracking_code.upper() for item in self.items]
        if len(set(codes)) != len(codes):
            raise ValueError("each complaint may appear once")
        return self


class BulkError(Model):
    code: str
    message: str


class BulkItemResult(Model):
    tracking_code: str
    ok: bool
    status: str | None = None
    version: int | None = None
    assigned_agency_id: str | None = None
    error: BulkError | None = None


class BulkResult(Model):
    succeeded: int
    failed: int
    results: list[BulkItemResult]
