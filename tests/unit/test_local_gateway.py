"""The local gateway answers like API Gateway: authorizer first, template GatewayResponses, 502s."""

from __future__ import annotations

import json
from typing import Any

from infra.local.apigw import HttpRequest
from infra.local.auth import TokenAuthority
from infra.local.functions import FunctionSpec
from infra.local.gateway import Gateway
from infra.local.routes import ApiConfig, Authorizer, GatewayResponse, Route, RouteTable
from infra.local.runtime import LambdaRuntime

COGNITO = Authorizer("Cognito", "cognito")
UNAUTHORIZED = (
    '{"error": {"code": "unauthorized", "message": "Missing or invalid bearer token", "details": null}}'
)


def gateway(responses: dict[str, GatewayResponse], calls: list[Any]) -> tuple[Gateway, TokenAuthority]:
    def handler(event: Any, context: Any) -> Any:
        calls.append(event)
        if event["path"] == "/fail":
            raise RuntimeError("handler bug")
        return {"statusCode": 200, "body": json.dumps({"claims": event["requestContext"].get("authorizer")})}

    spec = FunctionSpec("Fn", "fn", "arn:aws:lambda:ap-southeast-3:123456789012:function:fn", "x.handler")
    runtime = LambdaRuntime([spec], "ap-southeast-3", {"Fn": handler})
    runtime.load()
    routes = RouteTable(
        [Route("/open", "GET", "Fn", "Api", None), Route("/{proxy+}", "ANY", "Fn", "Api", COGNITO)]
    )
    auth = TokenAuthority("ap-southeast-3")
    apis = {"Api": ApiConfig("Api", "local", responses)}
    return Gateway(routes, apis, runtime, auth, "123456789012"), auth


def get(path: str, headers: list[tuple[str, str]] | None = None) -> HttpRequest:
    return HttpRequest("GET", path, headers or [])


def test_missing_or_bad_token_gets_the_templates_401_without_calling_the_handler() -> None:
    calls: list[Any] = []
    gw, auth = gateway({"UNAUTHORIZED": GatewayResponse(401, UNAUTHORIZED, {"X-Why": "auth"})}, calls)
    for headers in ([], [("Authorization", "Bearer forged")]):
        response = gw.handle(get("/v1/complaints", headers))
        assert response.status == 401 and json.loads(response.body)["error"]["code"] == "unauthorized"
        assert ("X-Why", "auth") in response.headers
    assert calls == []
    ok = gw.handle(get("/v1/complaints", [("authorization", f"Bearer {auth.issue('citizen')}")]))
    assert ok.status == 200 and json.loads(ok.body)["claims"]["claims"]["sub"] == "local-citizen-1"


def test_defaults_and_default_4xx_fallback() -> None:
    calls: list[Any] = []
    plain, _ = gateway({}, calls)
    missing = plain.handle(get("/"))
    assert missing.status == 404
    assert json.loads(missing.body) == {
        "error": {"code": "not_found", "message": "No route for GET /", "details": None}
    }
    assert json.loads(plain.handle(get("/x")).body)["error"]["message"] == "Missing or invalid bearer token"

    custom = '{"message": $context.error.messageString}'
    templated, _ = gateway({"DEFAULT_4XX": GatewayResponse(None, custom)}, calls)
    response = templated.handle(get("/x"))
    assert response.status == 401 and json.loads(response.body) == {
        "message": "Missing or invalid bearer token"
    }


def test_handler_exceptions_are_502() -> None:
    calls: list[Any] = []
    gw, auth = gateway({}, calls)
    response = gw.handle(get("/fail", [("Authorization", auth.issue("verifier"))]))
    assert response.status == 502
    assert json.loads(response.body)["error"] == {
        "code": "internal_error",
        "message": "Internal server error",
        "details": None,
    }
    assert len(calls) == 1
