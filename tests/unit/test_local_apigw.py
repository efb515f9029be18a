"""The local gateway builds API Gateway REST proxy events and reads proxy responses like API Gateway."""

from __future__ import annotations

import base64

import pytest

from infra.local.apigw import ApiIdentity, HttpRequest, MalformedResponse, build_proxy_event, to_http_response
from infra.local.routes import Route, RouteMatch

API = ApiIdentity(account_id="123456789012", api_id="abcdef1234", stage="local")
ROUTE = Route("/v1/complaints/{code}", "GET", "ApiFunction", "Api", None)


def request(
    target: str, headers: list[tuple[str, str]] | None = None, body: bytes = b"", method: str = "GET"
) -> HttpRequest:
    return HttpRequest(
        method,
        target,
        headers or [("User-Agent", "curl/8"), ("Accept", "*/*")],
        body,
        source_ip="10.0.0.7",
        port=3000,
    )


def test_event_has_the_rest_proxy_shape() -> None:
    event = build_proxy_event(
        request(
            "/v1/complaints/ADU-1?page=2&tag=a&tag=b", [("X-Tag", "1"), ("x-tag", "2"), ("User-Agent", "ua")]
        ),
        RouteMatch(ROUTE, {"code": "ADU-1"}),
        API,
        {"sub": "u-1", "cognito:groups": "citizen"},
        now=1_700_000_000.5,
    )
    assert event["resource"] == "/v1/complaints/{code}"
    assert event["path"] == "/v1/complaints/ADU-1"
    assert event["httpMethod"] == "GET"
    assert event["queryStringParameters"] == {"page": "2", "tag": "b"}
    assert event["multiValueQueryStringParameters"] == {"page": ["2"], "tag": ["a", "b"]}
    assert event["headers"]["x-tag"] == "2" and event["multiValueHeaders"]["X-Tag"] == ["1"]
    assert event["headers"]["X-Forwarded-For"] == "10.0.0.7"
    assert event["pathParameters"] == {"code": "ADU-1"}
    assert event["stageVariables"] is None
    assert event["body"] is None and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["resourcePath"] == "/v1/complaints/{code}"
    assert context["path"] == "/local/v1/complaints/ADU-1"
    assert (
        context["stage"] == "local"
        and context["accountId"] == "123456789012"
        and context["apiId"] == "abcdef1234"
    )
    assert context["requestTimeEpoch"] == 1_700_000_000_500
    assert context["identity"]["sourceIp"] == "10.0.0.7" and context["identity"]["userAgent"] == "ua"
    assert context["authorizer"] == {"claims": {"sub": "u-1", "cognito:groups": "citizen"}}
    assert context["requestId"]


def test_empty_query_and_params_are_none_and_open_routes_have_no_authorizer() -> None:
    route = Route("/v1/categories", "GET", "ApiFunction", "Api", None)
    event = build_proxy_event(request("/v1/categories"), RouteMatch(route, {}), API)
    assert event["queryStringParameters"] is None and event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert "authorizer" not in event["requestContext"]


@pytest.mark.parametrize(
    ("content_type", "raw", "body", "is_base64"),
    [
        ("application/json", b'{"a": "\xc3\xa9"}', '{"a": "é"}', False),
        ("text/plain; charset=utf-8", b"hi", "hi", False),
        ("application/problem+json", b"{}", "{}", False),
        ("image/png", b"\x89PNG", base64.b64encode(b"\x89PNG").decode(), True),
        ("application/json", b"\xff\xfe", base64.b64encode(b"\xff\xfe").decode(), True),  # not UTF-8
    ],
)
def test_bodies_are_text_or_base64(content_type: str, raw: bytes, body: str, is_base64: bool) -> None:
    event = build_proxy_event(
        request("/x", [("Content-Type", content_type)], raw, "POST"), RouteMatch(ROUTE, {"code": "x"}), API
    )
    assert (event["body"], event["isBase64Encoded"]) == (body, is_base64)


def test_response_merges_headers_like_api_gateway() -> None:
    response = to_http_response(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "application/json", "Set-Cookie": "ignored=1", "X-One": "1"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": '{"ok": true}',
        }
    )
    assert response.status == 201 and response.body == b'{"ok": true}'
    assert response.headers == [
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Content-Type", "application/json"),
        ("X-One", "1"),
    ]


def test_response_base64_body_and_default_content_type() -> None:
    response = to_http_response(
        {"statusCode": "200", "body": base64.b64encode(b"\x00\x01").decode(), "isBase64Encoded": True}
    )
    assert response.body == b"\x00\x01"
    assert ("Content-Type", "application/json") in response.headers


@pytest.mark.parametrize(
    "result", [None, "text", {"body": "x"}, {"statusCode": "abc"}, {"statusCode": 200, "body": 5}]
)
def test_malformed_responses_are_rejected(result: object) -> None:
    with pytest.raises(MalformedResponse):
        to_http_response(result)
