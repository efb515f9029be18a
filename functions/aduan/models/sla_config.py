"""SLA policies as data: per stage a limit in working hours, working days, calendar days or hours,
overrides by category and priority, a reminder fraction, a hard cap and an escalation ladder.

A policy has an id and a version; every clock records the version it was started under, so a new
version never rewrites the deadlines of clocks already running.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, model_validator

from aduan.logic.calendar import WEEKDAYS, WorkingCalendar, parse_interval
from aduan.models.base import Model
from aduan.models.ticket import ComplaintType, Priority


class Stage(StrEnum):
    VERIFICATION = "verification"
    DISPOSITION = "disposition"
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"
    EXTERNAL_ANSWER = "external_answer"  # waiting on a body outside the city government we forwarded to
    ANSWER_REVIEW = "answer_review"  # the desk checks the agency's answer (desk review on)
    CITIZEN_REPLY = "citizen_reply"
    CITIZEN_INFO = "citizen_info"  # waiting for information from the reporter: its limit is the hard cap


STAGE_LABELS: dict[Stage, tuple[str, str]] = {
    Stage.VERIFICATION: ("Verifikasi", "Verification"),
    Stage.DISPOSITION: ("Disposisi ke instansi", "Assignment to an agency"),
    Stage.FIRST_RESPONSE: ("Tanggapan pertama instansi", "Agency's first response"),
    Stage.RESOLUTION: ("Penyelesaian", "Resolution"),
    Stage.EXTERNAL_ANSWER: ("Jawaban instansi di luar Pemerintah Kota", "Answer from the external body"),
    Stage.ANSWER_REVIEW: ("Pemeriksaan jawaban oleh verifikator", "Desk review of the answer"),
    Stage.CITIZEN_REPLY: ("Tanggapan pelapor", "Reporter's reply"),
    Stage.CITIZEN_INFO: ("Kelengkapan informasi dari pelapor", "Information from the reporter"),
}
# Stages that end with the complaint closed when their time is up, instead of a breach.
AUTO_CLOSING = frozenset({Stage.CITIZEN_REPLY, Stage.CITIZEN_INFO})

Unit = Literal["working_hours", "working_days", "calendar_days", "hours"]


class SlaConfigError(ValueError):
    """An SLA policy file that does not validate; the message names the file and the field."""


class Limit(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    value: float = Field(gt=0, le=3650)
    unit: Unit

    @model_validator(mode="after")
    def _whole_days(self) -> Limit:
        if self.unit == "working_days" and self.value != int(self.value):
            raise ValueError("working_days must be a whole number")
        return self

    @property
    def on_working_time(self) -> bool:
        return self.unit.startswith("working_")

    def due(self, start: datetime, calendar: WorkingCalendar) -> datetime:
        if self.unit == "working_hours":
            return calendar.add(start, timedelta(hours=self.value))
        if self.unit == "working_days":
            return calendar.end_of_working_days(start, int(self.value))
        if self.unit == "calendar_days":
            return start + timedelta(days=self.value)
        return start + timedelta(hours=self.value)

    def describe(self) -> str:
        return f"{self.value:g} {self.unit.replace('_', ' ')}"


class RungRecipient(Model):
    """A person told at a rung, by title and agency: `holder` (the unit holding the complaint: a bidang,
    a kelurahan), `parent` (the unit above it), `top` (the agency the desk assigned: the dinas, the
    kecamatan) or a fixed agency id (the city secretariat, the mayor's office)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title_id: str = Field(min_length=1, max_length=120)
    title_en: str = Field(min_length=1, max_length=120)
    agency: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)


class Rung(Model):
    """One step of the escalation ladder: who is told, and how long after the previous step."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    role: Literal["agency_officer", "agency_head", "supervisor", "inspectorate", "mayor_office"]
    after: Limit | None = None  # the first rung is told at the breach itself
    label_id: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    recipients: tuple[RungRecipient, ...] = ()


class StageRule(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    limit: Limit
    hard_cap: Limit | None = None
    remind_at_fraction: float | None = Field(default=None, gt=0, lt=1)
    escalate: bool = True


@dataclass(frozen=True)
class Subject:
    """What an override selects on: the complaint, and the level of the agency holding it (1: the agency
    the desk assigned, 2: its bidang/UPTD or kelurahan office, …)."""

    category_id: str | None = None
    priority: Priority = Priority.NORMAL
    complaint_type: ComplaintType = ComplaintType.PENGADUAN
    level: int = 1


class Override(Model):
    """A different limit for some categories, priorities, complaint types and/or agency levels (all empty:
    matches nothing). The most specific matching override wins."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    stage: Stage
    category_ids: tuple[str, ...] = ()
    priorities: tuple[Priority, ...] = ()
    complaint_types: tuple[ComplaintType, ...] = ()
    levels: tuple[int, ...] = ()
    limit: Limit

    @model_validator(mode="after")
    def _selects_something(self) -> Override:
        if not (self.category_ids or self.priorities or self.complaint_types or self.levels):
            raise ValueError("an override needs category_ids, priorities, complaint_types or levels")
        return self

    def matches(self, subject: Subject) -> bool:
        return ((not self.category_ids or subject.category_id in self.category_ids)
                and (not self.priorities or subject.priority in self.priorities)
                and (not self.complaint_types or subject.complaint_type in self.complaint_types)
                and (not self.levels or subject.level in self.levels))

    @property
    def specificity(self) -> int:
        return ((8 if self.category_ids else 0) + (4 if self.complaint_types else 0) + (2 if self.levels else 0)
                + (1 if self.priorities else 0))


class CalendarConfig(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    timezone: Literal["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"] = "Asia/Jakarta"
    business_hours: dict[str, tuple[str, ...]]
    holiday_country: str | None = "ID"
    extra_days_off: dict[date, str] = Field(default_factory=dict)  # cuti bersama, regional holidays
    working_days: tuple[date, ...] = ()

    @model_validator(mode="after")
    def _valid_hours(self) -> CalendarConfig:
        for day, spans in self.business_hours.items():
            if day not in WEEKDAYS:
                raise ValueError(f"business_hours: unknown weekday {day!r} (use {', '.join(WEEKDAYS)})")
            for text in spans:
                parse_interval(text)
        if not any(self.business_hours.values()):
            raise ValueError("business_hours: the working week has no hours")
        return self

    def build(self) -> WorkingCalendar:
        return WorkingCalendar(self.timezone, self.business_hours, country=self.holiday_country,
                               extra_days_off=self.extra_days_off, working_days=self.working_days)


LATER_STAGE_DEFAULTS: dict[str, Any] = {
    Stage.ANSWER_REVIEW.value: {"limit": {"value": 1, "unit": "working_days"}},
    Stage.EXTERNAL_ANSWER.value: {"limit": {"value": 14, "unit": "calendar_days"}},
    Stage.CITIZEN_INFO.value: {"limit": {"value": 10, "unit": "calendar_days"}, "escalate": False},
}


class SlaPolicy(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    version: int = Field(ge=1)
    name: str
    source: str = ""
    effective_from: date
    calendar: CalendarConfig
    remind_at_fraction: float = Field(default=0.75, gt=0, lt=1)
    priority_bump_on_breach: bool = True
    stages: dict[Stage, StageRule]
    overrides: tuple[Override, ...] = ()
    escalation: tuple[Rung, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _newer_stages(cls, document: Any) -> Any:
        # Versions stored before desk review and the citizen-info cap existed still load, with these limits.
        if isinstance(document, dict) and isinstance(document.get("stages"), dict):
            document = {**document, "stages": {**LATER_STAGE_DEFAULTS, **document["stages"]}}
        return document

    @model_validator(mode="after")
    def _complete(self) -> SlaPolicy:
        missing = [stage.value for stage in Stage if stage not in self.stages]
        if missing:
            raise ValueError(f"stages missing: {', '.join(missing)}")
        if self.escalation[0].after is not None:
            raise ValueError("escalation: the first rung is told at the breach; it takes no 'after'")
        if any(rung.after is None for rung in self.escalation[1:]):
            raise ValueError("escalation: every rung after the first needs 'after'")
        return self

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @cached_property
    def working_calendar(self) -> WorkingCalendar:
        return self.calendar.build()

    def limit_for(self, stage: Stage, subject: Subject) -> Limit:
        matching = [o for o in self.overrides if o.stage == stage and o.matches(subject)]
        if matching:
            return max(matching, key=lambda override: override.specificity).limit
        return self.stages[stage].limit

    def reminder_fraction(self, stage: Stage) -> float:
        return self.stages[stage].remind_at_fraction or self.remind_at_fraction


def parse_policy(document: object, source: str) -> SlaPolicy:
    try:
        return SlaPolicy.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(policy)'}: {e['msg']}"
                             for e in error.errors())
        raise SlaConfigError(f"{source}: {problems}") from None


def load_policy_file(path: Path) -> SlaPolicy:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SlaConfigError(f"{path}: {error}") from None
    return parse_policy(document, str(path))
