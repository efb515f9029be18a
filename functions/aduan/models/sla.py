"""SLA clocks as stored: one item per ticket holding one clock per stage."""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, Field

from aduan.models.base import Model
from aduan.models.sla_config import Limit, Stage
from aduan.models.ticket import ComplaintType, Priority


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class StageClock(Model):
    model_config = ConfigDict(extra="ignore")
    stage: Stage
    cycle: int = 1  # a stage that starts again (reassignment, reopening) counts up
    policy: str  # "<policy id>@<version>": the rules this clock was started under
    limit: Limit
    agency_id: str | None = None
    started_at: str
    due_at: str
    remind_at: str | None = None
    hard_cap_at: str | None = None
    state: ClockState = ClockState.RUNNING
    paused_at: str | None = None
    paused_working_seconds: float = 0.0  # working time spent paused, excluded from elapsed
    stopped_at: str | None = None
    met: bool | None = None
    reminded: bool = False
    breached_at: str | None = None
    rung: int = 0  # rungs of the escalation ladder told so far
    next_rung_at: str | None = None


class TicketClocks(Model):
    """Everything the SLA engine knows about one ticket; `rev` guards every write (exactly-once firing)."""

    model_config = ConfigDict(extra="ignore")
    ticket_id: str
    tracking_code: str
    agency_id: str | None = None
    category_id: str | None = None
    priority: Priority = Priority.NORMAL
    complaint_type: ComplaintType = ComplaintType.PENGADUAN
    level: int = 1  # depth of the holding agency in the hierarchy (SLA overrides by level)
    applied_version: int = 0  # the newest ticket version whose event has been applied
    rev: int = 0
    clocks: dict[Stage, StageClock] = Field(default_factory=dict)
