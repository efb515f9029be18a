"""The city config in the table: one item per document under pk "CONFIG", read with a single Query and
kept in memory for a few minutes, because every request needs it and it only changes when a city re-seeds.

Every item carries the revision of the save that wrote it. A save puts all its items before deleting
leftovers, so a reader keys on the newest revision and can tell a half-finished save from a complete one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aduan.dal import clients
from aduan.models.config import DOCUMENTS, OPTIONAL_DOCUMENTS, CityConfig, ConfigError, parse_documents

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, WriteRequestTypeDef

CONFIG_PK = "CONFIG"
# DynamoDB caps an item at 400 KB including attribute names and keys; 300 KB of body leaves ample room.
PART_BYTES = 300 * 1024
_BATCH_SIZE = 25
_RETRIES = 8

_cache: dict[str, tuple[float, CityConfig]] = {}


def save_config(table_name: str, config: CityConfig, *, client: DynamoDBClient | None = None) -> None:
    db = client or clients.client("dynamodb")
    revision = f"{time.time_ns():020d}"
    items = list(_items(config, revision))
    written = {item["sk"]["S"] for item in items}
    stale = [sk for sk in _stored_keys(db, table_name) if sk not in written]
    _batch_write(db, table_name, [{"PutRequest": {"Item": item}} for item in items])
    _batch_write(db, table_name, [{"DeleteRequest": {"Key": _key(sk)}} for sk in stale])
    _cache.pop(table_name, None)


def load_config(table_name: str, *, client: DynamoDBClient | None = None,
                max_age_seconds: float = 300.0) -> CityConfig:
    now = time.monotonic()
    cached = _cache.get(table_name)
    if cached and now - cached[0] < max_age_seconds:
        return cached[1]
    db = client or clients.client("dynamodb")
    items = [item for item in _query(db, table_name) if _document_of(item["sk"]["S"])]
    if not items:
        raise ConfigError(f"no city config in table {table_name!r}: "
                          f"run python -m infra.seed --table {table_name}")
    try:
        documents = _assemble(items)
    except ConfigError:
        if cached:
            # A save is under way: keep serving the previous config; the next call looks again.
            return cached[1]
        raise
    config = parse_documents(documents, source=f"table {table_name} pk={CONFIG_PK}")
    _cache[table_name] = (now, config)
    return config


def clear_cache() -> None:
    _cache.clear()


def _items(config: CityConfig, revision: str) -> Iterator[dict[str, AttributeValueTypeDef]]:
    documents = config.model_dump(mode="json", exclude_none=True)
    for name in DOCUMENTS:
        # ASCII-only JSON, so a slice by characters is a slice by bytes and never splits a UTF-8 sequence.
        body = json.dumps(documents[name], ensure_ascii=True, separators=(",", ":"))
        chunks = [body[start:start + PART_BYTES] for start in range(0, len(body), PART_BYTES)]
        for number, chunk in enumerate(chunks, start=1):
            sk = name if len(chunks) == 1 else f"{name}#{number:04d}"
            yield {**_key(sk), "body": {"S": chunk}, "part": {"N": str(number)},
                   "parts": {"N": str(len(chunks))}, "revision": {"S": revision}}


def _key(sk: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": CONFIG_PK}, "sk": {"S": sk}}


def _document_of(sk: str) -> str | None:
    """The document an item belongs to; None for other items that may share the CONFIG partition."""
    name, _, part = sk.partition("#")
    return name if name in DOCUMENTS and (not part or part.isdigit()) else None


def _query(db: DynamoDBClient, table_name: str, projection: str | None = None) -> Iterator[dict[str, Any]]:
    extra = {"ProjectionExpression": projection} if projection else {}
    pages = db.get_paginator("query").paginate(
        TableName=table_name, KeyConditionExpression="pk = :pk", ConsistentRead=True,
        ExpressionAttributeValues={":pk": {"S": CONFIG_PK}}, **extra)  # type: ignore[arg-type]
    for page in pages:
        yield from page.get("Items", [])


def _stored_keys(db: DynamoDBClient, table_name: str) -> list[str]:
    keys = (item["sk"]["S"] for item in _query(db, table_name, projection="sk"))
    return [sk for sk in keys if _document_of(sk)]


def _assemble(items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    # Items written by hand (console, scripts) may lack the bookkeeping attributes: treat them as whole.
    revision = max(item.get("revision", {}).get("S", "") for item in items)
    parts: dict[str, dict[int, str]] = {name: {} for name in DOCUMENTS}
    expected: dict[str, int] = {}
    for item in items:
        if item.get("revision", {}).get("S", "") != revision:
            continue  # left over from an earlier save, about to be deleted
        name = _document_of(item["sk"]["S"]) or ""
        parts[name][int(item.get("part", {}).get("N", "1"))] = item["body"]["S"]
        expected[name] = int(item.get("parts", {}).get("N", "1"))
    documents: dict[str, Any] = {}
    for name in DOCUMENTS:
        numbers = list(range(1, expected.get(name, 0) + 1))
        if not numbers and not parts[name] and name in OPTIONAL_DOCUMENTS:
            continue  # a config stored before this document existed: its defaults apply
        if not numbers or sorted(parts[name]) != numbers:
            raise ConfigError(f"stored config revision {revision!r} is incomplete: {name!r} has parts "
                              f"{sorted(parts[name])} of {len(numbers)} (a save is under way or was "
                              "interrupted; re-run python -m infra.seed)")
        try:
            documents[name] = json.loads("".join(parts[name][number] for number in numbers))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"stored config document {name!r} is not valid JSON: {exc}") from None
    return documents


def _batch_write(db: DynamoDBClient, table_name: str, requests: Sequence[WriteRequestTypeDef]) -> None:
    for start in range(0, len(requests), _BATCH_SIZE):
        pending: Mapping[str, Sequence[Any]] = {table_name: requests[start:start + _BATCH_SIZE]}
        for attempt in range(_RETRIES):
            pending = db.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(min(0.05 * 2 ** attempt, 2.0))  # throttled: back off before resending the rest
        else:
            raise RuntimeError(f"could not write the city config to {table_name!r}: throttled {_RETRIES} times")
