"""API Gateway REST (v1) proxy integration: HTTP request -> Lambda event, Lambda result -> HTTP.

Pure functions, so the event shape can be unit-tested without a server. The event mirrors what
API Gateway sends: single- and multi-value headers and query strings (None when empty), path
parameters (including `proxy`), a request context with the stage-prefixed path and, on routes
behind a Cognito authorizer, `authorizer.claims`. Non-text bodies arrive base64 encoded.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

from infra.local.routes import RouteMatch

_TEXT_TYPES = (
    "application/json",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/javascript",
    "application/graphql",
    "application/x-yaml",
)


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str  # path and query, as on the request line
    headers: Sequence[tuple[str, str]]
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    host: str = "127.0.0.1"
    port: int = 3000

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    def header(self, name: str) -> str | None:
        found = [value for key, value in self.headers if key.lower() == name.lower()]
        return found[-1] if found else None


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


@dataclass(frozen=True)
class ApiIdentity:
    """Fixed facts about the emulated API that end up in every request context."""

    account_id: str
    api_id: str
    stage: str


def build_proxy_event(
    request: HttpRequest,
    match: RouteMatch,
    api: ApiIdentity,
    claims: Mapping[str, str] | None = None,
    *,
    now: float | None = None,
) -> dict[str, Any]:
    moment = time.time() if now is None else now
    headers, multi_headers = _single_and_multi(_forwarded_headers(request))
    query, multi_query = _single_and_multi(parse_qsl(request.query, keep_blank_values=True))
    path = unquote(request.path)
    body, is_base64 = _event_body(request.body, request.header("content-type"))
    request_id = str(uuid.uuid4())
    context: dict[str, Any] = {
        "accountId": api.account_id,
        "apiId": api.api_id,
        "domainName": f"{request.host}:{request.port}",
        "domainPrefix": request.host,
        "extendedRequestId": request_id,
        "httpMethod": request.method,
        "identity": {
            "accessKey": None,
            "accountId": None,
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": request.source_ip,
            "user": None,
            "userAgent": request.header("user-agent"),
            "userArn": None,
        },
        "path": f"/{api.stage}{path}",
        "protocol": "HTTP/1.1",
        "requestId": request_id,
        "requestTime": datetime.fromtimestamp(moment, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": int(moment * 1000),
        "resourceId": api.api_id[:6],
        "resourcePath": match.route.path,
        "stage": api.stage,
    }
    if claims is not None:
        context["authorizer"] = {"claims": dict(claims)}
    return {
        "resource": match.route.path,
        "path": path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(match.path_parameters) or None,
        "stageVariables": None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": is_base64,
    }


def _forwarded_headers(request: HttpRequest) -> list[tuple[str, str]]:
    # API Gateway adds these; handlers (and Powertools) may read them.
    present = {name.lower() for name, _ in request.headers}
    extra = [
        ("X-Forwarded-For", request.source_ip),
        ("X-Forwarded-Proto", "http"),
        ("X-Forwarded-Port", str(request.port)),
    ]
    return [*request.headers, *[(name, value) for name, value in extra if name.lower() not in present]]


def _single_and_multi(
    pairs: Sequence[tuple[str, str]],
) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """API Gateway's two views of repeated keys: last value wins, or all values; None when empty."""
    if not pairs:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        single[key] = value
        multi.setdefault(key, []).append(value)
    return single, multi


def is_text_content(content_type: str | None) -> bool:
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media in _TEXT_TYPES or media.endswith(("+json", "+xml"))


def _event_body(raw: bytes, content_type: str | None) -> tuple[str | None, bool]:
    if not raw:
        return None, False
    if is_text_content(content_type):
        try:
            return raw.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(raw).decode("ascii"), True


class MalformedResponse(ValueError):
    """The handler's result is not a valid proxy response (API Gateway answers 502)."""


def to_http_response(result: Any) -> HttpResponse:
    if not isinstance(result, Mapping) or "statusCode" not in result:
        raise MalformedResponse("a proxy integration result must be an object with statusCode")
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError) as error:
        raise MalformedResponse(f"statusCode {result['statusCode']!r} is not an integer") from error
    headers = _response_headers(result.get("headers") or {}, result.get("multiValueHeaders") or {})
    body = result.get("body")
    if body is None:
        payload = b""
    elif not isinstance(body, str):
        raise MalformedResponse("body must be a string")
    elif result.get("isBase64Encoded"):
        try:
            payload = base64.b64decode(body, validate=True)
        except binascii.Error as error:
            raise MalformedResponse("isBase64Encoded is true but body is not base64") from error
    else:
        payload = body.encode("utf-8")
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))  # API Gateway's default
    return HttpResponse(status, headers, payload)


def _response_headers(single: Mapping[str, Any], multi: Mapping[str, Any]) -> list[tuple[str, str]]:
    # API Gateway merges both maps; a header given in multiValueHeaders takes its values from there.
    merged = [(name, str(value)) for name, values in multi.items() for value in values]
    taken = {name.lower() for name in multi}
    merged += [(name, str(value)) for name, value in single.items() if name.lower() not in taken]
    return merged


def json_response(status: int, payload: Any, headers: Sequence[tuple[str, str]] = ()) -> HttpResponse:
    body = json.dumps(payload).encode("utf-8")
    return HttpResponse(status, [("Content-Type", "application/json"), *headers], body)


def error_response(status: int, code: str, message: str) -> HttpResponse:
    return json_response(status, {"error": {"code": code, "message": message, "details": None}})
