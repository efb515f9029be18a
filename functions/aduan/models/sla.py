"""SLA clocks as stored: one item per ticket holding one clock per stage."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field, model_validator

from aduan.logic.clock import from_storage, to_storage
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
    applied_at: str | None = None  # when that version's step happened (where its timeline gap starts)
    rev: int = 0
    clocks: dict[Stage, StageClock] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _from_stored(cls, data: Any) -> Any:
        if isinstance(data, dict) and COMPACT_CLOCKS in data:
            return expand(data)
        if isinstance(data, dict) and isinstance(data.get("clocks"), dict):  # written before the compact form
            data = {**data, "clocks": {stage: _from_long_row(stage, value) if isinstance(value, list) else value
                                       for stage, value in data["clocks"].items()}}
        return data


# ---------------------------------------------------------------------- the stored form
# Every write of the `#SLA` item costs a unit per started KB (and each index it moves), so it is stored
# compactly (docs/data-model.md): short attribute names, one positional row per clock with its trailing
# defaults left out, short codes for stages and limit units, times as whole microseconds since the epoch
# (a number of 5-9 bytes where the text takes 27), the tracking code only in the key, the holder and the
# policy named once for the item, the state implied (stopped: has a stop time; paused: has a pause time).
# The bench's whole life (6 clocks) peaks near 560 bytes.
COMPACT_CLOCKS = "c"
POLICY = "p"  # the policy most clocks run under, named once; a row says SAME for it (and for the holder)
SAME = ""
_TOP = {"ticket_id": "t", "agency_id": "ag", "category_id": "cat", "priority": "pr", "complaint_type": "ct",
        "level": "lv", "applied_version": "v", "applied_at": "at"}
APPLIED_VERSION = _TOP["applied_version"]  # the attribute names a blind update of the bookkeeping sets
APPLIED_AT = _TOP["applied_at"]
_STAGES = {Stage.VERIFICATION: "vr", Stage.DISPOSITION: "ds", Stage.FIRST_RESPONSE: "fr",
           Stage.RESOLUTION: "rs", Stage.EXTERNAL_ANSWER: "ea", Stage.ANSWER_REVIEW: "ar",
           Stage.CITIZEN_REPLY: "cr", Stage.CITIZEN_INFO: "ci"}
_STAGE_OF = {code: stage for stage, code in _STAGES.items()}
_UNITS = {"working_hours": "wh", "working_days": "wd", "calendar_days": "cd", "hours": "h"}
_UNIT_OF = {code: unit for unit, code in _UNITS.items()}
# Row positions; what a stopped clock keeps comes first, so its row ends early.
_ROW = ("cycle", "policy", "limit_value", "limit_unit", "agency_id", "started_at", "due_at", "stopped_at", "met",
        "breached_at", "remind_at", "hard_cap_at", "paused_at", "paused_working_seconds", "reminded", "rung",
        "next_rung_at")
_TIMES = frozenset(name for name in _ROW if name.endswith("_at"))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DEFAULTS = {name: field.default for name, field in StageClock.model_fields.items()}


def _micros(text: str) -> int:
    return (from_storage(text) - _EPOCH) // timedelta(microseconds=1)


def _text(micros: int) -> str:
    return to_storage(_EPOCH + timedelta(microseconds=int(micros)))


def _row(clock: StageClock, agency_id: str | None, policy: str) -> list[Any]:
    fields = clock.model_dump(mode="json")
    fields.update(limit_value=clock.limit.value, limit_unit=_UNITS[clock.limit.unit])
    if clock.agency_id and clock.agency_id == agency_id:
        fields["agency_id"] = SAME  # the ticket's holder, named once for the item
    if clock.policy == policy:
        fields["policy"] = SAME
    if clock.state == ClockState.STOPPED:  # history: what it was set to and how it ended
        fields.update(remind_at=None, hard_cap_at=None, paused_at=None, paused_working_seconds=0.0,
                      reminded=False, rung=0, next_rung_at=None)
    row = [_micros(fields[name]) if name in _TIMES and fields[name] else fields[name] for name in _ROW]
    while row and row[-1] == _DEFAULTS.get(_ROW[len(row) - 1]):
        row.pop()
    return row


def _clock(code: str, row: list[Any], agency_id: str | None, policy: str | None) -> dict[str, Any]:
    fields: dict[str, Any] = {name: _DEFAULTS.get(name) for name in _ROW}
    fields.update(zip(_ROW, row, strict=False))
    if fields["agency_id"] == SAME:
        fields["agency_id"] = agency_id
    if fields["policy"] == SAME:
        fields["policy"] = policy
    for name in _TIMES:
        if fields[name] is not None:
            fields[name] = _text(fields[name])
    limit = {"value": fields.pop("limit_value"), "unit": _UNIT_OF[fields.pop("limit_unit")]}
    state = (ClockState.STOPPED if fields["stopped_at"] else ClockState.PAUSED if fields["paused_at"]
             else ClockState.RUNNING)
    return {**fields, "stage": _STAGE_OF[code].value, "limit": limit, "state": state.value}


def compact(clocks: TicketClocks) -> dict[str, Any]:
    """The stored document (without keys and index attributes): see above."""
    document = {short: value for name, short in _TOP.items()
                if (value := getattr(clocks, name)) != TicketClocks.model_fields[name].default}
    document["rev"] = clocks.rev
    policies = Counter(clock.policy for clock in clocks.clocks.values()).most_common(1)
    if policies:
        document[POLICY] = policies[0][0]
    document[COMPACT_CLOCKS] = {_STAGES[stage]: _row(clock, clocks.agency_id, document.get(POLICY, ""))
                                for stage, clock in clocks.clocks.items()}
    return {name: value.value if isinstance(value, StrEnum) else value for name, value in document.items()}


def expand(document: dict[str, Any]) -> dict[str, Any]:
    """The model's fields from a stored compact document (the tracking code from its key)."""
    fields = {name: document[short] for name, short in _TOP.items() if short in document}
    code = document.get("tracking_code") or str(document.get("pk", "")).removeprefix("T#")
    fields.update(tracking_code=code, rev=document.get("rev", 0),
                  clocks={_STAGE_OF[stage].value: _clock(stage, row, document.get(_TOP["agency_id"]),
                                                          document.get(POLICY))
                          for stage, row in document[COMPACT_CLOCKS].items()})
    return fields


# Written before the compact form: a stopped clock as one row of these, running ones as maps.
_LONG_ROW = ("cycle", "policy", "limit_value", "limit_unit", "agency_id", "started_at", "due_at", "stopped_at",
             "met", "breached_at")


def _from_long_row(stage: str, row: list[Any]) -> dict[str, Any]:
    fields = dict(zip(_LONG_ROW, row, strict=True))
    limit = {"value": fields.pop("limit_value"), "unit": fields.pop("limit_unit")}
    return {**fields, "stage": stage, "limit": limit, "state": ClockState.STOPPED.value}
