"""The transparency config (public rules, Open311 clients and service definitions): one item
`pk=CONFIG#TRANSPARENCY, sk=document`, read with one GetItem and cached like the city config."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from aduan.dal import clients
from aduan.models.config import ConfigError
from aduan.models.transparency import TransparencyConfig, parse_transparency

KEY = {"pk": {"S": "CONFIG#TRANSPARENCY"}, "sk": {"S": "document"}}
if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

_cache: dict[str, tuple[float, TransparencyConfig]] = {}


def save_transparency(table_name: str, config: TransparencyConfig, *,
                      client: DynamoDBClient | None = None) -> None:
    body = json.dumps(config.model_dump(mode="json"), ensure_ascii=True, separators=(",", ":"))
    (client or clients.client("dynamodb")).put_item(TableName=table_name, Item={**KEY, "body": {"S": body}})
    _cache.pop(table_name, None)


def load_transparency(table_name: str, max_age_seconds: float = 300.0) -> TransparencyConfig:
    now = time.monotonic()
    cached = _cache.get(table_name)
    if cached and now - cached[0] < max_age_seconds:
        return cached[1]
    item = clients.client("dynamodb").get_item(TableName=table_name, Key=KEY).get("Item")
    if not item:
        raise ConfigError(f"no transparency config in table {table_name!r}: run python -m infra.seed")
    config = parse_transparency(json.loads(item["body"]["S"]), f"table {table_name} CONFIG#TRANSPARENCY")
    _cache[table_name] = (now, config)
    return config


def clear_cache() -> None:
    _cache.clear()
