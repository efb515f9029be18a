"""The OpenAPI document: served, committed, complete, and in our error shape."""

from __future__ import annotations

import json

from conftest import Api
from infra.openapi import COMMITTED, render
from infra.sam import load_template


def test_served_document_equals_the_committed_one(api: Api) -> None:
    reply = api("GET", "/openapi.json", who=None)
    assert reply.status == 200
    assert reply.body["openapi"] == "3.1.0"
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == reply.body, "run make openapi"
    assert COMMITTED.read_text(encoding="utf-8") == render()


def test_every_operation_documents_its_errors_in_one_shape() -> None:
    document = json.loads(render())
    operations = [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]
    assert len(operations) >= 14
    for path, method, operation in operations:
        if path.startswith("/open311/"):  # GeoReport v2's own error shape, which Open311 clients parse
            schema = operation["responses"]["404"]["content"]["application/json"]["schema"]
            assert schema["type"] == "array" and set(schema["items"]["properties"]) == {"code", "description"}
            continue
        # Webhooks never answer 422: a signed payload we cannot use is acknowledged and quarantined.
        for status in ("404",) if path.startswith("/webhooks/") else ("404", "422"):
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (path, method, status)
    assert "HTTPValidationError" not in json.dumps(document)


def test_public_routes_in_the_template_are_public_in_the_document() -> None:
    document = json.loads(render())
    events = load_template()["Resources"]["ApiFunction"]["Properties"]["Events"]
    public = {event["Properties"]["Path"] for event in events.values()
              if event["Properties"].get("Auth", {}).get("Authorizer") == "NONE"}
    assert public == {"/openapi.json", "/v1/categories", "/v1/agencies", "/v1/areas", "/v1/public/{proxy+}",
                      "/open311/{proxy+}"}
    for path in public - {"/openapi.json", "/v1/public/{proxy+}", "/open311/{proxy+}"}:
        assert document["paths"][path]["get"]["security"] == []
    public_feed = [path for path in document["paths"] if path.startswith("/v1/public/")]
    assert public_feed and all(document["paths"][path]["get"]["security"] == [] for path in public_feed)
    assert document["paths"]["/v1/complaints"]["post"].get("security") is None  # falls back to bearer
    assert document["security"] == [{"cognito": []}]
