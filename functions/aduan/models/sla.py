"""SLA clocks as stored: one item per ticket holding one clock per stage."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aduan.models.sla_config import Limit, Stage
from aduan.models.ticket import ComplaintType, Priority


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class StageClock(BaseModel):
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


# A stopped clock is history: stored as one short row (the `#SLA` item stays under 1 KB through a
# whole life, so each of its writes costs one unit) and read back as the same clock.
STOPPED_ROW = ("cycle", "policy", "limit_value", "limit_unit", "agency_id", "started_at", "due_at", "stopped_at",
               "met", "breached_at")


def stopped_row(clock: StageClock) -> list[Any]:
    fields = {**clock.model_dump(mode="json"), "limit_value": clock.limit.value, "limit_unit": clock.limit.unit}
    return [fields[name] for name in STOPPED_ROW]


def _from_row(stage: str, row: list[Any]) -> dict[str, Any]:
    fields = dict(zip(STOPPED_ROW, row, strict=True))
    limit = {"value": fields.pop("limit_value"), "unit": fields.pop("limit_unit")}
    return {**fields, "stage": stage, "limit": limit, "state": ClockState.STOPPED.value}


class TicketClocks(BaseModel):
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

    @model_validator(mode="before")
    @classmethod
    def _expand_stopped_rows(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("clocks"), dict):
            data = {**data, "clocks": {stage: _from_row(stage, value) if isinstance(value, list) else value
                                       for stage, value in data["clocks"].items()}}
        return data
