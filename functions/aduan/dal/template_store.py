"""The notification templates and settings in the tickets table: one item `pk=CONFIG#NOTIFICATIONS,
sk=#CURRENT` (a few kilobytes), validated when seeded and again when read, cached for a few minutes."""

from __future__ import annotations

import json
import time
from typing import Any

from aduan.dal import clients, codec
from aduan.models.config import ConfigError
from aduan.models.templates import NotificationConfig

KEY = {"pk": "CONFIG#NOTIFICATIONS", "sk": "#CURRENT"}
_cache: dict[str, tuple[float, NotificationConfig]] = {}


def save_templates(table_name: str, config: NotificationConfig, *, client: Any = None) -> None:
    db = client or clients.client("dynamodb")
    body = json.dumps(config.model_dump(mode="json", exclude_none=True), ensure_ascii=False)
    db.put_item(TableName=table_name, Item=codec.to_item({**KEY, "body": body}))
    _cache.pop(table_name, None)


def load_templates(table_name: str, *, max_age_seconds: float = 300.0) -> NotificationConfig:
    now = time.monotonic()
    cached = _cache.get(table_name)
    if cached and now - cached[0] < max_age_seconds:
        return cached[1]
    found = clients.client("dynamodb").get_item(TableName=table_name, Key=codec.to_item(KEY))
    if "Item" not in found:
        raise ConfigError(f"no notification templates in table {table_name!r}: "
                          f"run python -m infra.seed --table {table_name}")
    config = NotificationConfig.model_validate_json(codec.from_item(found["Item"])["body"])
    _cache[table_name] = (now, config)
    return config


def clear_cache() -> None:
    _cache.clear()
