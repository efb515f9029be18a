"""routing.json: how a city triages a new complaint (rules, priority words, duplicates, abuse limits).

Checked against the rest of the city config in `CityConfig` (every agency, category and area a rule names
must exist). Every field has a default, so a city can start with an empty `{}` (or no file at all): then
complaints go to their category's default agency as a suggestion and the desk decides.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from aduan.models.base import Model

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
PriorityName = Literal["urgent", "high", "normal", "low"]


class _Frozen(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RoutingRule(_Frozen):
    """(category, area) -> agency. Rules are tried by `order` (lowest first); the first that matches wins."""

    id: str = Field(pattern=SLUG, max_length=64)
    order: int = Field(ge=0, le=100_000)
    description: str = ""
    categories: list[str] = Field(default_factory=list, description="empty: any category")
    areas: list[str] = Field(default_factory=list, description="empty: anywhere; an area covers its children")
    agency_id: str | None = None
    to_area_office: bool = Field(default=False, description="the kecamatan/kelurahan office of the place")
    office_level: Literal["kecamatan", "kelurahan"] | None = Field(
        default=None, description="to_area_office: only offices of this level (the camat's office disposes "
                                  "to the kelurahan itself); empty: the most detailed office")
    auto_assign: bool = False
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _one_target(self) -> RoutingRule:
        if bool(self.agency_id) == self.to_area_office:
            raise ValueError(f"rule {self.id!r} needs exactly one of agency_id or to_area_office")
        return self


class PriorityRule(_Frozen):
    priority: PriorityName
    keywords: list[str] = Field(min_length=1)


class ClassifierSettings(_Frozen):
    min_score: float = Field(default=1.0, gt=0)
    # Extra slang/abbreviations on top of the built-in ones, e.g. {"pdm": "pdam"}.
    synonyms: dict[str, str] = Field(default_factory=dict)
    # Confidence at or above which a rule with auto_assign may assign without the desk.
    auto_assign_confidence: float = Field(default=0.75, ge=0.0, le=1.0)

    @field_validator("synonyms")
    @classmethod
    def _lowercase(cls, value: dict[str, str]) -> dict[str, str]:
        return {key.strip().lower(): word.strip().lower() for key, word in value.items()}


class DuplicatePolicy(_Frozen):
    radius_m: float = Field(default=250.0, gt=0, le=5000)
    lookback_days: int = Field(default=30, ge=1, le=365)
    closed_within_days: int = Field(default=14, ge=0, le=365)
    min_similarity: float = Field(default=0.2, ge=0.0, le=1.0)
    max_candidates: int = Field(default=5, ge=1, le=20)


class AbuseLimits(_Frozen):
    per_hour: int = Field(default=10, ge=1, le=10_000)
    per_day: int = Field(default=30, ge=1, le=100_000)


class RoutingConfig(_Frozen):
    rules: list[RoutingRule] = Field(default_factory=list)
    priority_keywords: list[PriorityRule] = Field(default_factory=list)
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)
    duplicates: DuplicatePolicy = Field(default_factory=DuplicatePolicy)
    abuse: AbuseLimits = Field(default_factory=AbuseLimits)

    def ordered_rules(self) -> list[RoutingRule]:
        return sorted(self.rules, key=lambda rule: (rule.order, rule.id))
