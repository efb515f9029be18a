"""Configuration of what we publish and to whom: the public feed's privacy rules and Open311 (GeoReport
v2) client apps and service definitions. Data, validated at load (`infra/config/transparency/`)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, ValidationError, model_validator

from aduan.models.base import Model
from aduan.models.config import SLUG, ConfigError

AttributeType = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]


class _Frozen(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Open311Client(_Frozen):
    """A client app allowed to POST requests. Only the SHA-256 of its api_key is stored."""

    id: str = Field(pattern=SLUG, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    key_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    enabled: bool = True


class AttributeValue(_Frozen):
    key: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)


class ServiceAttribute(_Frozen):
    """An extra question of a category (GeoReport v2 service definition attribute)."""

    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    datatype: AttributeType
    description: str = Field(min_length=1, max_length=500)
    required: bool = False
    variable: bool = True
    order: int = Field(default=1, ge=1)
    datatype_description: str | None = None
    values: list[AttributeValue] = Field(default_factory=list)

    @model_validator(mode="after")
    def _lists_have_values(self) -> ServiceAttribute:
        if self.datatype.endswith("valuelist") and not self.values:
            raise ValueError(f"attribute {self.code!r} is a {self.datatype} without values")
        return self


class Open311Settings(_Frozen):
    contact: str = Field(min_length=1, max_length=500)
    key_service: str = Field(min_length=1, max_length=500)
    changeset: str = Field(min_length=1, max_length=40)
    endpoint_url: str = Field(min_length=1, max_length=500)
    jurisdiction_id: str = Field(min_length=1, max_length=100)
    clients: list[Open311Client] = Field(default_factory=list)
    service_attributes: dict[str, list[ServiceAttribute]] = Field(default_factory=dict)


class PublicRules(_Frozen):
    min_cell_count: int = Field(default=5, ge=1, le=100, description="Smaller counts are suppressed")
    anonymous_coordinate_decimals: int = Field(default=2, ge=0, le=4, description="2 decimals ~ 1.1 km")
    page_limit: int = Field(default=50, ge=1, le=100)


class TransparencyConfig(_Frozen):
    public: PublicRules = Field(default_factory=PublicRules)
    open311: Open311Settings

    def client_for_key(self, api_key: str) -> Open311Client | None:
        digest = hash_key(api_key)
        return next((c for c in self.open311.clients if c.enabled and c.key_sha256 == digest), None)


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def parse_transparency(document: object, source: str) -> TransparencyConfig:
    try:
        return TransparencyConfig.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(f"{source}: invalid transparency config: {exc}") from None


def load_transparency_file(path: Path) -> TransparencyConfig:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return parse_transparency(document, str(path))
