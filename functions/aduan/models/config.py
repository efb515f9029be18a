"""A city's configuration: who handles complaints (agencies), about what (categories), where (areas).

A city writes it as four JSON files (docs/configuration.md). It is validated when seeded and again when
read back from the table, so no Lambda ever routes with a config that names something that does not exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from aduan.models.lapor import LaporSettings
from aduan.models.organisation import SUB_UNIT_PARENTS, Forwarding, Neighbour
from aduan.models.routing_config import SLUG, PriorityName, RoutingConfig, RoutingRule
from aduan.models.ticket import ComplaintType

DOCUMENTS = ("settings", "agencies", "categories", "areas", "routing")
# Documents a city may leave out: their defaults are written in the model (routing.json: docs/routing.md).
OPTIONAL_DOCUMENTS: dict[str, Any] = {"routing": {}}
# Loose on purpose: it catches a missing "@" or a pasted name without the email-validator dependency;
# whether the mailbox exists is for the mail system to find out.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PARENT_LEVEL = {"kecamatan": "kota", "kelurahan": "kecamatan"}

AgencyKind = Literal["desk", "opd", "bumd", "kecamatan", "kelurahan", "vertical", "bidang", "uptd", "pimpinan",
                     "provinsi", "nasional", "swasta"]
# Kinds a complaint is never assigned to: the desk itself, and the city's leadership (setda, the mayor's
# office, the inspectorate), who are told by the escalation ladder instead.
NOT_ASSIGNABLE = frozenset({"desk", "pimpinan"})
# The words a citizen starts a chat message with to say what kind of report it is (docs/organisation.md).
DEFAULT_TYPE_KEYWORDS: dict[str, ComplaintType] = {
    "aduan": ComplaintType.PENGADUAN, "pengaduan": ComplaintType.PENGADUAN, "keluhan": ComplaintType.PENGADUAN,
    "aspirasi": ComplaintType.ASPIRASI, "usul": ComplaintType.ASPIRASI, "usulan": ComplaintType.ASPIRASI,
    "saran": ComplaintType.ASPIRASI, "info": ComplaintType.PERMINTAAN_INFORMASI,
    "informasi": ComplaintType.PERMINTAAN_INFORMASI,
    "permintaan informasi": ComplaintType.PERMINTAAN_INFORMASI, "tanya": ComplaintType.PERMINTAAN_INFORMASI,
}
AreaLevel = Literal["kota", "kecamatan", "kelurahan"]


class ConfigError(ValueError):
    """The city configuration is missing or invalid; the message names the file (or item) at fault."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CitySettings(_Frozen):
    city_code: str = Field(pattern=SLUG, max_length=40)
    city_name: str = Field(min_length=1, max_length=200)
    timezone: str = "Asia/Jakarta"
    default_language: Literal["id", "en"] = "id"
    reopen_window_days: int = Field(default=10, ge=1, le=60)
    tracking_prefix: str = Field(default="ADU", pattern=r"^[A-Z]{2,4}$")
    # The desk checks an agency's answer before the reporter hears it (docs/organisation.md#desk-review).
    desk_review_answers: bool = False
    type_keywords: dict[str, ComplaintType] = Field(default_factory=lambda: dict(DEFAULT_TYPE_KEYWORDS))
    neighbours: list[Neighbour] = Field(default_factory=list)
    # SP4N-LAPOR!: the bridge pulls reports disposed to the city and pushes updates back (docs/lapor.md).
    lapor: LaporSettings | None = None

    @field_validator("type_keywords")
    @classmethod
    def _lower_keywords(cls, value: dict[str, ComplaintType]) -> dict[str, ComplaintType]:
        words = {" ".join(word.lower().split()): kind for word, kind in value.items()}
        if not all(words):
            raise ValueError("type keywords must not be empty")
        return words

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like 'Asia/Jakarta')") from exc
        return value


class Agency(_Frozen):
    id: str = Field(pattern=SLUG, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    short_name: str = Field(min_length=1, max_length=60)
    kind: AgencyKind
    parent_id: str | None = None
    emails: list[str] = Field(default_factory=list)
    head_emails: list[str] = Field(default_factory=list)  # the head's own mailbox: told by the escalation ladder
    area_code: str | None = None
    forward: Forwarding | None = None  # a body outside the city government the desk can forward to

    @model_validator(mode="after")
    def _reachable(self) -> Agency:
        if self.forward is not None and self.forward.channel == "email" and not self.emails:
            raise ValueError("forward by email needs the agency's emails")
        return self

    @field_validator("emails", "head_emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        bad = [email for email in value if not _EMAIL.match(email)]
        if bad:
            raise ValueError(f"not an email address: {', '.join(map(repr, bad))}")
        return value


class Category(_Frozen):
    id: str = Field(pattern=SLUG, max_length=64)
    name_id: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    group: str = Field(min_length=1, max_length=60)
    default_agency_id: str | None = None
    keywords: list[str] = Field(default_factory=list)
    priority: PriorityName = "normal"

    @field_validator("keywords")
    @classmethod
    def _normalise_keywords(cls, value: list[str]) -> list[str]:
        # Matching is case-insensitive, so store the form it compares against.
        words = [word.strip().lower() for word in value]
        if not all(words):
            raise ValueError("keywords must not be empty")
        return words

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_id


class Area(_Frozen):
    code: str = Field(pattern=r"^[A-Za-z0-9.-]{1,20}$")
    name: str = Field(min_length=1, max_length=200)
    level: AreaLevel
    parent_code: str | None = None
    centroid: tuple[float, float] | None = None  # (lat, lon)
    geometry: dict[str, Any] | None = None  # GeoJSON Polygon or MultiPolygon, positions [lon, lat]
    aliases: list[str] = Field(default_factory=list)  # other names found in addresses (landmarks, old names)

    @field_validator("centroid")
    @classmethod
    def _centroid_range(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not (-90 <= value[0] <= 90 and -180 <= value[1] <= 180):
            raise ValueError(f"centroid {list(value)} is not (lat, lon)")
        return value

    @field_validator("geometry")
    @classmethod
    def _geometry_shape(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            _check_geometry(value)
        return value

    @model_validator(mode="after")
    def _centroid_inside(self) -> Area:
        # Catches the classic mistake of [lat, lon] in the GeoJSON or (lon, lat) in the centroid.
        if self.centroid is not None and self.geometry is not None:
            min_lon, min_lat, max_lon, max_lat = bounds(self.geometry)
            lat, lon = self.centroid
            if not (min_lat <= lat <= max_lat and min_lon <= lon <= max_lon):
                raise ValueError(f"centroid {list(self.centroid)} lies outside the geometry: are lat and lon "
                                 "swapped? (centroid is [lat, lon], GeoJSON positions are [lon, lat])")
        return self


def _check_geometry(geometry: dict[str, Any]) -> None:
    unexpected = set(geometry) - {"type", "coordinates", "bbox"}
    if unexpected:
        raise ValueError(f"unexpected geometry keys {sorted(unexpected)}")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"geometry type must be 'Polygon' or 'MultiPolygon', not {kind!r}")
    if not isinstance(coordinates, list) or not coordinates:
        raise ValueError("geometry coordinates must be a non-empty list")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    for p, polygon in enumerate(polygons):
        if not isinstance(polygon, list) or not polygon:
            raise ValueError(f"polygon {p} has no rings")
        for r, ring in enumerate(polygon):
            where = f"ring {r}" if kind == "Polygon" else f"polygon {p} ring {r}"
            if not isinstance(ring, list) or len(ring) < 4:
                raise ValueError(f"{where} needs at least 4 positions (a closed triangle)")
            for position in ring:
                _check_position(position, where)
            if ring[0][:2] != ring[-1][:2]:
                raise ValueError(f"{where} is not closed: it starts at {ring[0]} but ends at {ring[-1]}")


def _check_position(position: Any, where: str) -> None:
    if (not isinstance(position, list) or len(position) not in (2, 3)
            or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in position)):
        raise ValueError(f"{where}: {position!r} is not a [lon, lat] position")
    if not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
        raise ValueError(f"{where}: {position} is out of range for [lon, lat]")


def _positions(geometry: dict[str, Any]) -> Iterator[list[float]]:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for polygon in polygons:
        for ring in polygon:
            yield from ring


def bounds(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of a validated geometry."""
    lons, lats = zip(*((position[0], position[1]) for position in _positions(geometry)), strict=True)
    return min(lons), min(lats), max(lons), max(lats)


class CityConfig(_Frozen):
    settings: CitySettings
    agencies: list[Agency]
    categories: list[Category]
    areas: list[Area]
    routing: RoutingConfig = RoutingConfig()

    _agencies: dict[str, Agency] = PrivateAttr(default_factory=dict)
    _categories: dict[str, Category] = PrivateAttr(default_factory=dict)
    _areas: dict[str, Area] = PrivateAttr(default_factory=dict)
    _offices: dict[str, Agency] = PrivateAttr(default_factory=dict)
    _desk: Agency | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any) -> None:
        # Runs before the "after" validator below, which relies on these lookups.
        self._agencies = {agency.id: agency for agency in self.agencies}
        self._categories = {category.id: category for category in self.categories}
        self._areas = {area.code: area for area in self.areas}
        self._offices = {agency.area_code: agency for agency in self.agencies
                         if agency.area_code and agency.kind in ("kecamatan", "kelurahan")}
        self._desk = next((agency for agency in self.agencies if agency.kind == "desk"), None)

    @model_validator(mode="after")
    def _consistent(self) -> CityConfig:
        # Collect every problem, not just the first: a city fixing its files wants the whole list at once.
        problems = [*_duplicates("agency id", [a.id for a in self.agencies]),
                    *_duplicates("category id", [c.id for c in self.categories]),
                    *_duplicates("area code", [a.code for a in self.areas]),
                    *_duplicates("routing rule id", [r.id for r in self.routing.rules]),
                    *self._agency_problems(), *self._area_problems(), *self._routing_problems()]
        for category in self.categories:
            agency_id = category.default_agency_id
            if agency_id and agency_id not in self._agencies:
                problems.append(f"category {category.id!r} names unknown agency {agency_id!r}")
        lapor = self.settings.lapor
        problems += [f"agency {agency.id!r} is forwarded to through SP4N-LAPOR!, which settings.json `lapor` "
                     "does not configure" for agency in self.agencies
                     if agency.forward and agency.forward.channel == "lapor" and not (lapor and lapor.enabled)]
        desks = [agency.id for agency in self.agencies if agency.kind == "desk"]
        if len(desks) != 1:
            problems.append(f"exactly one agency must be of kind 'desk', found {len(desks)} {desks}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _agency_problems(self) -> Iterator[str]:
        served: dict[str, str] = {}
        for agency in self.agencies:
            if agency.parent_id and agency.parent_id not in self._agencies:
                yield f"agency {agency.id!r} names unknown parent agency {agency.parent_id!r}"
            elif agency.parent_id and self._is_own_ancestor(agency):
                yield f"agency {agency.id!r} is its own ancestor through parent_id"
            else:
                yield from self._hierarchy_problems(agency)
            if not agency.area_code:
                continue
            area = self._areas.get(agency.area_code)
            if area is None:
                yield f"agency {agency.id!r} names unknown area {agency.area_code!r}"
            elif agency.kind in ("kecamatan", "kelurahan"):
                if area.level != agency.kind:
                    yield (f"agency {agency.id!r} ({agency.kind}) names area {area.code!r} "
                           f"of level {area.level!r}")
                if area.code in served:
                    yield (f"agencies {served[area.code]!r} and {agency.id!r} are both "
                           f"the office of area {area.code!r}")
                served[area.code] = agency.id

    def _hierarchy_problems(self, agency: Agency) -> Iterator[str]:
        """A sub-unit hangs under the right kind of agency; a kelurahan office under its own kecamatan's."""
        allowed = SUB_UNIT_PARENTS.get(agency.kind)
        if allowed is None:
            return
        parent = self._agencies.get(agency.parent_id or "")
        if parent is None or parent.kind not in allowed:
            yield (f"agency {agency.id!r} ({agency.kind}) needs a parent_id of kind "
                   f"{' or '.join(sorted(allowed))}, not {parent.kind if parent else 'none'!r}")
            return
        area = self._areas.get(agency.area_code or "")
        if agency.kind == "kelurahan" and area is not None and parent.area_code != area.parent_code:
            yield (f"kelurahan office {agency.id!r} serves {area.code!r} of kecamatan {area.parent_code!r} "
                   f"but its parent {parent.id!r} serves {parent.area_code!r}")

    def sub_units(self, agency_id: str) -> list[Agency]:
        return [agency for agency in self.agencies if agency.parent_id == agency_id]

    def _is_own_ancestor(self, agency: Agency) -> bool:
        seen = {agency.id}
        parent = self._agencies.get(agency.parent_id or "")
        while parent is not None:
            if parent.id in seen:
                return True
            seen.add(parent.id)
            parent = self._agencies.get(parent.parent_id or "")
        return False

    def _area_problems(self) -> Iterator[str]:
        for area in self.areas:
            if area.parent_code is None:
                continue
            parent = self._areas.get(area.parent_code)
            if parent is None:
                yield f"area {area.code!r} names unknown parent area {area.parent_code!r}"
            elif parent.level != _PARENT_LEVEL.get(area.level):
                yield (f"area {area.code!r} ({area.level}) cannot have parent {parent.code!r} "
                       f"({parent.level}): a {area.level}'s parent is a "
                       f"{_PARENT_LEVEL.get(area.level, 'nothing')}")

    def _routing_problems(self) -> Iterator[str]:
        for rule in self.routing.rules:
            yield from _rule_problems(rule, self._agencies, self._categories, self._areas)
        for synonym, word in self.routing.classifier.synonyms.items():
            if not synonym or not word:
                yield f"routing classifier synonym {synonym!r} -> {word!r} must not be empty"

    def areas_by_level(self, level: str) -> list[Area]:
        return [area for area in self.areas if area.level == level]

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        # pydantic's copy skips validation and model_post_init: an updated config would keep stale lookups.
        copy = super().model_copy(update=update, deep=deep)
        return type(self).model_validate(dict(copy)) if update else copy

    def agency(self, agency_id: str) -> Agency | None:
        return self._agencies.get(agency_id)

    def category(self, category_id: str) -> Category | None:
        return self._categories.get(category_id)

    def area(self, code: str) -> Area | None:
        return self._areas.get(code)

    def desk_agency(self) -> Agency:
        assert self._desk is not None, "validation guarantees exactly one desk"
        return self._desk

    def office_for_area(self, code: str) -> Agency | None:
        """The kecamatan or kelurahan office serving an area, for complaints routed by place."""
        return self._offices.get(code)


def _rule_problems(rule: RoutingRule, agencies: Mapping[str, Agency], categories: Mapping[str, Category],
                   areas: Mapping[str, Area]) -> Iterator[str]:
    if rule.agency_id and rule.agency_id not in agencies:
        yield f"routing rule {rule.id!r} names unknown agency {rule.agency_id!r}"
    for category_id in rule.categories:
        if category_id not in categories:
            yield f"routing rule {rule.id!r} names unknown category {category_id!r}"
    for code in rule.areas:
        if code not in areas:
            yield f"routing rule {rule.id!r} names unknown area {code!r}"


def _duplicates(what: str, values: list[str]) -> Iterator[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            yield f"duplicate {what} {value!r}"
        seen.add(value)


_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "settings": TypeAdapter(CitySettings),
    "agencies": TypeAdapter(list[Agency]),
    "categories": TypeAdapter(list[Category]),
    "areas": TypeAdapter(list[Area]),
    "routing": TypeAdapter(RoutingConfig),
}


def parse_documents(documents: Mapping[str, Any], *, source: str, suffix: str = "") -> CityConfig:
    """Validate the four documents. Errors name `source`/<document><suffix>, e.g. ".../agencies.json"."""
    parsed: dict[str, Any] = {}
    for name in DOCUMENTS:
        label = f"{source}/{name}{suffix}"
        if name not in documents and name in OPTIONAL_DOCUMENTS:
            parsed[name] = _ADAPTERS[name].validate_python(OPTIONAL_DOCUMENTS[name])
            continue
        if name not in documents:
            raise ConfigError(f"{label}: missing (a city config has {', '.join(DOCUMENTS)})")
        try:
            parsed[name] = _ADAPTERS[name].validate_python(documents[name])
        except ValidationError as exc:
            raise ConfigError(f"{label}: {_describe(exc, documents[name])}") from None
    try:
        return CityConfig(**parsed)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_describe(exc, None)}") from None


def load_config_dir(path: Path) -> CityConfig:
    """Read and validate settings.json, agencies.json, categories.json and areas.json in `path`."""
    documents: dict[str, Any] = {}
    for name in DOCUMENTS:
        file = path / f"{name}.json"
        try:
            documents[name] = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            if name in OPTIONAL_DOCUMENTS:
                continue
            raise ConfigError(f"{file}: missing (a city config directory has "
                              f"{', '.join(n + '.json' for n in DOCUMENTS)})") from None
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{file}: invalid JSON at line {exc.lineno} "
                              f"column {exc.colno}: {exc.msg}") from None
    return parse_documents(documents, source=str(path), suffix=".json")


def _describe(exc: ValidationError, document: Any, limit: int = 10) -> str:
    """Pydantic's errors, with list positions shown as the item's id so a city can find the entry."""
    messages = []
    for error in exc.errors()[:limit]:
        loc = list(error["loc"])
        where = []
        if loc and isinstance(loc[0], int) and isinstance(document, list) and loc[0] < len(document):
            item = document[loc[0]]
            key = item.get("id") or item.get("code") if isinstance(item, dict) else None
            where.append(f"item {loc.pop(0)}" + (f" ({key!r})" if key else ""))
        where.extend(str(part) for part in loc)
        cause = error.get("ctx", {}).get("error")
        message = str(cause) if isinstance(cause, ValueError) else error["msg"]
        messages.append(f"{'.'.join(where)}: {message}" if where else message)
    more = exc.error_count() - limit
    return "; ".join(messages) + (f"; and {more} more" if more > 0 else "")
