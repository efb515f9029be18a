"""No API path scans the table: every access is a key or index query."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from conftest import Api


@pytest.fixture
def dynamodb_operations(api: Api, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = boto3.session.Session.client

    def counting_client(self: Any, service: str, *args: Any, **kwargs: Any) -> Any:
        made = original(self, service, *args, **kwargs)
        made.meta.events.register("before-call.dynamodb.*",
                                  lambda model, **_: seen.append(model.name))
        return made

    monkeypatch.setattr(boto3.session.Session, "client", counting_client)
    from aduan.dal import clients

    clients.reset()
    return seen


def test_no_scan_on_any_api_path(api: Api, dynamodb_operations: list[str]) -> None:
    code = api.file()["tracking_code"]
    api("GET", f"/v1/complaints/{code}")
    api("GET", f"/v1/complaints/{code}/timeline")
    api("GET", "/v1/me/complaints")
    api("GET", "/v1/desk/complaints", who="verifier")
    api.act("verifier", code, "verify", 1)
    api.act("verifier", code, "assign", 2, agency_id="dpu")
    api("GET", "/v1/agencies/dpu/complaints", who="dpu")
    api("POST", f"/v1/complaints/{code}/comments", {"text": "Terima kasih"})
    for path in ("/v1/categories", "/v1/agencies", "/v1/areas"):
        api("GET", path, who=None)
    assert dynamodb_operations, "the hook saw no DynamoDB call at all"
    assert "Scan" not in dynamodb_operations
    assert set(dynamodb_operations) <= {"GetItem", "Query", "BatchGetItem", "PutItem", "TransactWriteItems",
                                        "UpdateItem"}  # BatchGetItem: the heads behind a key-only index page


def test_status_read_is_one_call(api: Api, dynamodb_operations: list[str]) -> None:
    code = api.file()["tracking_code"]
    api("GET", "/v1/categories", who=None)  # the city configuration is cached per container
    dynamodb_operations.clear()
    api("GET", f"/v1/complaints/{code}")
    assert dynamodb_operations == ["Query"]
