"""Handlers under moto: resources built from template.yaml's own properties, events in API Gateway's
REST proxy shape with the claims a Cognito authorizer passes."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from aduan import wiring
from infra import emulation
from infra.emulation import Context

REGION = emulation.REGION
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


def emulate_as_local_mode() -> None:
    """moto with changes `make local` runs it with (infra/local), each checked against plain moto by its
    own unit test: transactions roll back through an undo journal instead of deep-copying every table
    they touch, queries read their partition (or an index's candidates) instead of sorting the whole
    table, EventBridge input paths are parsed once. Without them a test that fills the table (the
    statistics rebuild queries ~1,350 queues) spends minutes inside moto. Each is idempotent."""
    from infra.local.event_paths import install_parsed_paths
    from infra.local.query_index import install_partition_reads
    from infra.local.transactions import install_undo_journal

    install_undo_journal()
    install_partition_reads()
    install_parsed_paths()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    emulate_as_local_mode()
    for name, value in emulation.environment(TABLES, BUCKET, BUS).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        wiring.reset()
        _provision_seeded()
        yield
        wiring.reset()


_SEEDED: dict[str, Any] = {}  # per worker process: the seeded tables and the clients that make the rest


def _provision_seeded() -> None:
    """The template's tables holding the city's seed, the attachments bucket and the event bus. Made and
    seeded once per worker (four boto3 clients and parsing the city's config: ~0.3 s of CPU); every
    later test gets its own copy of those tables (~2 ms), as the first test had them."""
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[emulation.ACCOUNT][REGION]
    if not _SEEDED:
        emulation.provision(TABLES, BUCKET, BUS)
        from infra.seed import seed_table

        seed_table(TABLES["TicketsTable"], local_demo=True)
        _SEEDED.update(tables=copy.deepcopy(backend.tables), s3=boto3.client("s3"), events=boto3.client("events"))
        return
    backend.tables = copy.deepcopy(_SEEDED["tables"])
    _SEEDED["s3"].create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    _SEEDED["events"].create_event_bus(Name=BUS)


_BUILT: dict[str, tuple[dict[str, Any], Any]] = {}  # per worker process: {world: (its tables, what it returned)}


def built_once(name: str, build: Callable[[], Any]) -> Any:
    """A world several tests read: built by `build` in the first test that asks for it, then its DynamoDB
    tables (items, indexes, streams) are put back as `build` left them for each later test, in place of
    the freshly seeded ones. Every test gets copies, never the tables another test wrote to, and whatever
    `build` returned (copied too). Use it only for a world built through DynamoDB alone (with `aws`)."""
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[emulation.ACCOUNT][REGION]
    if name not in _BUILT:
        value = build()
        _BUILT[name] = copy.deepcopy(backend.tables), copy.deepcopy(value)
        return value
    tables, value = _BUILT[name]
    backend.tables = copy.deepcopy(tables)
    wiring.reset()  # services built before the tables were swapped hold nothing of theirs, but start clean
    return copy.deepcopy(value)


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
        headers = answer.get("headers") or {key: values[-1] for key, values in
                                            (answer.get("multiValueHeaders") or {}).items()}
        return Reply(answer["statusCode"], json.loads(text) if text else None, headers)

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
