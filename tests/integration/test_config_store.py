"""The city config in DynamoDB (moto): round trip, one Query per load, the in-memory cache, documents
split across items, and leftovers of earlier saves."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from aduan.dal import clients
from aduan.dal.config_store import CONFIG_PK, PART_BYTES, clear_cache, load_config, save_config
from aduan.models.config import Area, CityConfig, ConfigError, load_config_dir
from infra.seed import DEFAULT_CITY_DIR, seed_table

TABLE = "aduan-config-test"


@pytest.fixture
def config_db(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    clear_cache()
    clients.reset()
    with mock_aws():
        db = boto3.client("dynamodb")
        _create_table(db, TABLE)
        yield db
    clear_cache()
    clients.reset()


def _create_table(db: Any, name: str) -> None:
    db.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])


@pytest.fixture(scope="module")
def semarang() -> CityConfig:
    return load_config_dir(DEFAULT_CITY_DIR)


def _count_calls(db: Any) -> Counter[str]:
    calls: Counter[str] = Counter()

    def count(event_name: str, **_: Any) -> None:
        calls[event_name.rsplit(".", 1)[-1]] += 1

    db.meta.events.register("before-call.dynamodb.*", count)
    return calls


def _stored(db: Any) -> dict[str, dict[str, Any]]:
    items = db.query(TableName=TABLE, KeyConditionExpression="pk = :pk",
                     ExpressionAttributeValues={":pk": {"S": CONFIG_PK}})["Items"]
    return {item["sk"]["S"]: item for item in items}


def _with_big_areas(config: CityConfig, vertices: int = 2000, count: int = 12) -> CityConfig:
    """Kecamatan-sized circles with many vertices: the areas document grows past one item."""
    areas = list(config.areas)
    for n in range(count):
        lat, lon = -7.0 - n * 0.001, 110.4
        ring = [[round(lon + 0.02 * math.cos(2 * math.pi * k / vertices), 9),
                 round(lat + 0.02 * math.sin(2 * math.pi * k / vertices), 9)] for k in range(vertices)]
        ring.append(ring[0])
        areas.append(Area(code=f"3374999{n:03d}", name=f"Kelurahan Uji {n}", level="kelurahan",
                          parent_code="3374130", centroid=(lat, lon),
                          geometry={"type": "Polygon", "coordinates": [ring]}))
    return config.model_copy(update={"areas": areas})


def test_round_trip(config_db: Any, semarang: CityConfig) -> None:
    save_config(TABLE, semarang, client=config_db)
    assert set(_stored(config_db)) == {"settings", "agencies", "categories", "areas", "routing"}
    loaded = load_config(TABLE, client=config_db)
    assert loaded == semarang
    assert loaded.desk_agency().id == "p3m-desk" and loaded.office_for_area("3374070") is not None


def test_load_is_one_query_then_cached(config_db: Any, semarang: CityConfig) -> None:
    save_config(TABLE, semarang, client=config_db)
    calls = _count_calls(config_db)
    first = load_config(TABLE, client=config_db)
    assert calls == Counter({"Query": 1})
    assert load_config(TABLE, client=config_db) is first
    assert calls == Counter({"Query": 1})
    load_config(TABLE, client=config_db, max_age_seconds=0)
    assert calls == Counter({"Query": 2})
    clear_cache()
    load_config(TABLE, client=config_db)
    assert calls == Counter({"Query": 3})


def test_cache_is_per_table_and_dropped_by_save(config_db: Any, semarang: CityConfig) -> None:
    save_config(TABLE, semarang, client=config_db)
    load_config(TABLE, client=config_db)
    renamed = semarang.model_copy(update={"settings": semarang.settings.model_copy(update={"city_name": "Baru"})})
    save_config(TABLE, renamed, client=config_db)
    assert load_config(TABLE, client=config_db).settings.city_name == "Baru"
    _create_table(config_db, "other-table")
    with pytest.raises(ConfigError, match="other-table"):
        load_config("other-table", client=config_db)


def test_big_document_is_split_and_reassembled(config_db: Any, semarang: CityConfig) -> None:
    big = _with_big_areas(semarang)
    save_config(TABLE, big, client=config_db)
    stored = _stored(config_db)
    parts = sorted(sk for sk in stored if sk.startswith("areas#"))
    assert len(parts) >= 2 and "areas" not in stored
    assert parts == [f"areas#{n:04d}" for n in range(1, len(parts) + 1)]
    assert all(len(stored[sk]["body"]["S"].encode()) <= PART_BYTES for sk in parts)
    assert {stored[sk]["parts"]["N"] for sk in parts} == {str(len(parts))}
    calls = _count_calls(config_db)
    assert load_config(TABLE, client=config_db) == big
    assert calls == Counter({"Query": 1})


def test_stale_parts_are_removed(config_db: Any, semarang: CityConfig) -> None:
    def area_keys() -> list[str]:
        return sorted(sk for sk in _stored(config_db) if sk.startswith("areas"))

    save_config(TABLE, semarang, client=config_db)
    save_config(TABLE, _with_big_areas(semarang, count=16), client=config_db)
    more = area_keys()
    assert "areas" not in more and len(more) >= 3
    save_config(TABLE, _with_big_areas(semarang, count=6), client=config_db)
    fewer = area_keys()
    assert 2 <= len(fewer) < len(more) and fewer == more[:len(fewer)]
    assert load_config(TABLE, client=config_db) == _with_big_areas(semarang, count=6)
    save_config(TABLE, semarang, client=config_db)
    assert sorted(_stored(config_db)) == ["agencies", "areas", "categories", "routing", "settings"]
    assert load_config(TABLE, client=config_db) == semarang


def test_other_items_in_the_config_partition_are_left_alone(config_db: Any, semarang: CityConfig) -> None:
    config_db.put_item(TableName=TABLE, Item={"pk": {"S": CONFIG_PK}, "sk": {"S": "holidays#2025"},
                                              "body": {"S": "[]"}})
    save_config(TABLE, _with_big_areas(semarang), client=config_db)
    save_config(TABLE, semarang, client=config_db)
    assert "holidays#2025" in _stored(config_db)
    assert load_config(TABLE, client=config_db) == semarang


def test_interrupted_save_is_reported_or_bridged_by_cache(config_db: Any, semarang: CityConfig) -> None:
    big = _with_big_areas(semarang)
    save_config(TABLE, big, client=config_db)
    cached = load_config(TABLE, client=config_db)
    config_db.delete_item(TableName=TABLE, Key={"pk": {"S": CONFIG_PK}, "sk": {"S": "areas#0002"}})
    assert load_config(TABLE, client=config_db, max_age_seconds=0) is cached
    clear_cache()
    with pytest.raises(ConfigError, match="'areas' has parts"):
        load_config(TABLE, client=config_db)


def test_hand_written_items_load(config_db: Any, semarang: CityConfig) -> None:
    documents = semarang.model_dump(mode="json")
    for name, document in documents.items():
        config_db.put_item(TableName=TABLE, Item={"pk": {"S": CONFIG_PK}, "sk": {"S": name},
                                                  "body": {"S": json.dumps(document)}})
    assert load_config(TABLE, client=config_db) == semarang


def test_missing_config_says_how_to_seed(config_db: Any) -> None:
    with pytest.raises(ConfigError, match=r"python -m infra\.seed --table aduan-config-test"):
        load_config(TABLE, client=config_db)


def test_invalid_stored_config_is_a_config_error(config_db: Any, semarang: CityConfig) -> None:
    save_config(TABLE, semarang, client=config_db)
    config_db.update_item(TableName=TABLE, Key={"pk": {"S": CONFIG_PK}, "sk": {"S": "settings"}},
                          UpdateExpression="SET body = :b", ExpressionAttributeValues={":b": {"S": '{"x": 1}'}})
    with pytest.raises(ConfigError, match="settings"):
        load_config(TABLE, client=config_db)


def test_seed_table_uses_the_default_client(config_db: Any, semarang: CityConfig) -> None:
    assert seed_table(TABLE) == semarang
    assert load_config(TABLE) == semarang
