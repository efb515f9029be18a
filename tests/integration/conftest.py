"""Handlers under moto: resources built from template.yaml's own properties, events in API Gateway's
REST proxy shape with the claims a Cognito authorizer passes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra import emulation
from infra.emulation import Context
from infra.sam import load_template

REGION = "ap-southeast-3"
TABLES = {"TicketsTable": "aduan-tickets-test", "IdempotencyTable": "aduan-idempotency-test"}
BUCKET = "aduan-attachments-test"
BUS = "aduan-test"
CLAIMS = {
    "citizen": {"sub": "citizen-1", "cognito:groups": "citizen", "name": "Sari Wulandari"},
    "citizen2": {"sub": "citizen-2", "cognito:groups": "citizen"},
    "verifier": {"sub": "verifier-1", "cognito:groups": "verifier"},
    "supervisor": {"sub": "supervisor-1", "cognito:groups": "supervisor"},
    "dpu": {"sub": "officer-dpu", "cognito:groups": "agency_officer", "custom:agency_id": "dpu"},
    "dlh": {"sub": "officer-dlh", "cognito:groups": "agency_officer", "custom:agency_id": "dlh"},
}


def _reset_caches() -> None:
    from aduan.dal import clients, config_store, sla_store, transparency_store
    from aduan.dal.idempotency_store import persistence_layer
    from aduan.handlers import routing, sla_sweeper, sla_tracker
    from aduan.handlers import stats as stats_handler
    from aduan.routes.context import (
        abuse_guard,
        desk_service,
        export_service,
        open311_service,
        public_service,
        stats_service,
        ticket_service,
    )
    from aduan.services import idempotency

    clients.reset()
    config_store.clear_cache()
    persistence_layer.cache_clear()
    idempotency._filer.cache_clear()
    ticket_service.cache_clear()
    public_service.cache_clear()
    open311_service.cache_clear()
    stats_service.cache_clear()
    export_service.cache_clear()
    stats_handler.service.cache_clear()
    transparency_store.clear_cache()
    sla_store.clear_cache()
    sla_tracker.service.cache_clear()
    sla_sweeper.service.cache_clear()
    desk_service.cache_clear()
    abuse_guard.cache_clear()
    routing.routing_service.cache_clear()


def create_table(logical_id: str, name: str) -> None:
    properties = dict(load_template()["Resources"][logical_id]["Properties"])
    spec = {key: properties[key] for key in ("AttributeDefinitions", "KeySchema", "BillingMode",
                                             "GlobalSecondaryIndexes", "StreamSpecification") if key in properties}
    if "StreamSpecification" in spec:
        spec["StreamSpecification"] = {"StreamEnabled": True, **spec["StreamSpecification"]}
    boto3.client("dynamodb").create_table(TableName=name, **spec)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing", "TABLE_NAME": TABLES["TicketsTable"],
        "IDEMPOTENCY_TABLE_NAME": TABLES["IdempotencyTable"], "ATTACHMENTS_BUCKET": BUCKET,
        "EVENT_BUS_NAME": BUS, "POWERTOOLS_SERVICE_NAME": "aduan", "POWERTOOLS_METRICS_NAMESPACE": "Aduan",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        _reset_caches()
        for logical_id, name in TABLES.items():
            create_table(logical_id, name)
        boto3.client("s3").create_bucket(Bucket=BUCKET,
                                         CreateBucketConfiguration={"LocationConstraint": REGION})
        boto3.client("events").create_event_bus(Name=BUS)
        from infra.seed import seed_table

        seed_table(TABLES["TicketsTable"])
        yield
        _reset_caches()


def rest_event(method: str, path: str, body: Any = None, who: str | None = None,
               headers: dict[str, str] | None = None, query: dict[str, str] | None = None,
               raw_body: str | None = None) -> dict[str, Any]:
    return emulation.rest_event(method, path, body, CLAIMS[who] if who else None, headers, query, raw_body)


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Api:
    calls: list[str] = field(default_factory=list)

    def __call__(self, method: str, path: str, body: Any = None, who: str | None = "citizen",
                 **kwargs: Any) -> Reply:
        from aduan.handlers.api import handler

        answer = handler(rest_event(method, path, body, who, **kwargs), Context())  # type: ignore[arg-type]
        text = answer.get("body") or ""
        return Reply(answer["statusCode"], json.loads(text) if text else None, answer.get("headers") or {})

    def file(self, who: str = "citizen", **overrides: Any) -> dict[str, Any]:
        body = {"title": "Jalan berlubang di Jl. Pandanaran",
                "text": "Ada lubang besar di depan toko oleh-oleh, berbahaya bagi pengendara motor.",
                "category_id": "jalan-rusak",
                "location": {"lat": -6.9875, "lon": 110.412, "address": "Jl. Pandanaran, Semarang Tengah"},
                **overrides}
        reply = self("POST", "/v1/complaints", body, who)
        assert reply.status == 201, reply.body
        return dict(reply.body)

    def act(self, who: str, code: str, action: str, version: int, **fields: Any) -> Reply:
        return self("POST", f"/v1/complaints/{code}/transitions",
                    {"action": action, "expected_version": version, **fields}, who)


@pytest.fixture
def api(aws: None) -> Api:
    return Api()


@pytest.fixture
def moto_copies_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto 5.2.5 deep-copies a table once per *item* of a TransactWriteItems (for its rollback), so
    a 20-item transaction copies the whole table 20 times. The copies are all taken before any item
    is applied, so one copy per table per call is the same snapshot: memoise within the call."""
    from moto.dynamodb.models import DynamoDBBackend, Table
    from moto.dynamodb.models import copy as moto_copy

    original_call = DynamoDBBackend.transact_write_items
    real_deepcopy = moto_copy.deepcopy

    def once_per_call(self: Any, transact_items: list[dict[str, Any]]) -> None:
        copies: dict[int, Any] = {}

        def deepcopy(value: Any, memo: Any = None) -> Any:
            if not isinstance(value, Table):
                return real_deepcopy(value, memo)
            if id(value) not in copies:
                copies[id(value)] = real_deepcopy(value, memo)
            return copies[id(value)]

        monkeypatch.setattr(moto_copy, "deepcopy", deepcopy)
        try:
            original_call(self, transact_items)
        finally:
            monkeypatch.setattr(moto_copy, "deepcopy", real_deepcopy)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", once_per_call)
