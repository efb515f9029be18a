"""Abuse protection: the block list (managed by supervisors) and what a refused sender is told."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from aduan.models.api import Line, Prose
from aduan.models.base import Model


class BlockedSender(Model):
    sender_ref: str
    reason: str
    blocked_by: str
    blocked_at: str
    active: bool = True
    unblocked_by: str | None = None
    unblocked_at: str | None = None


class BlockRequest(Model):
    model_config = ConfigDict(extra="forbid")
    sender_ref: Line = Field(min_length=3, max_length=200, description="Cognito sub or contact id (whatsapp:+62…)")
    reason: Prose = Field(min_length=5, max_length=1000)


class UnblockRequest(Model):
    model_config = ConfigDict(extra="forbid")
    sender_ref: Line = Field(min_length=3, max_length=200)


class Admission(Model):
    """The guard's answer. When refused, `reply_id`/`reply_en` are what the sender is told."""

    allowed: bool
    reason: str | None = None  # "blocked" or "rate_limited"
    reply_id: str | None = None
    reply_en: str | None = None
    retry_after_seconds: int | None = None
