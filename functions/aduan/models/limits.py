"""Limits on what one request or one citizen may send: data (`aduan/config/limits.json`, shipped with the
code because the API needs them before it reads anything), validated when first used."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic import ConfigDict, Field, ValidationError

from aduan.models.base import Model
from aduan.models.config import ConfigError

LIMITS_FILE = Path(__file__).resolve().parent.parent / "config" / "limits.json"


class RequestLimits(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    body_bytes: int = Field(default=256 * 1024, ge=1024, le=6 * 1024 * 1024,
                            description="Largest JSON or form body (API Gateway's own limit is 10 MB, Lambda's 6 MB)")
    json_depth: int = Field(default=20, ge=4, le=100, description="Deepest nesting of objects and arrays")
    webhook_bytes: int = Field(default=1024 * 1024, ge=1024, le=6 * 1024 * 1024,
                               description="Larger signed webhooks are quarantined, not queued")
    error_details: int = Field(default=20, ge=1, le=200, description="Validation errors listed in one answer")


class QuotaLimits(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    comments_per_complaint: int = Field(default=50, ge=1, le=10_000, description="By its reporter")
    comments_per_citizen_hour: int = Field(default=20, ge=1, le=10_000)
    attachments_per_complaint: int = Field(default=20, ge=1, le=1_000)
    attachments_per_citizen_hour: int = Field(default=30, ge=1, le=10_000)


class Limits(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    request: RequestLimits = Field(default_factory=RequestLimits)
    citizen: QuotaLimits = Field(default_factory=QuotaLimits)
    page_size_max: int = Field(default=100, ge=1, le=1000, description="Largest `limit` of a list")


def parse_limits(document: object, source: str) -> Limits:
    try:
        return Limits.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(f"{source}: invalid limits: {exc}") from None


@cache
def limits() -> Limits:
    try:
        document = json.loads(LIMITS_FILE.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{LIMITS_FILE}: {exc}") from None
    return parse_limits(document, str(LIMITS_FILE))
