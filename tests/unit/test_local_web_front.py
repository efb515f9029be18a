"""Local mode's front: CORS preflights as API Gateway answers them from SAM's Cors, and the console's files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.local.apigw import HttpRequest
from infra.local.routes import Authorizer, Route, RouteTable
from infra.local.web_front import WEB_ROOT, WebFront, cors_rule, web_front

ROUTES = RouteTable([
    Route("/v1/complaints", "POST", "Api", "Api", Authorizer("Cognito", "cognito")),
    Route("/v1/complaints/{code}", "GET", "Api", "Api", Authorizer("Cognito", "cognito")),
    Route("/v1/categories", "GET", "Api", "Api", None),
])
SAM: dict[str, Any] = {"Resources": {"Api": {"Type": "AWS::Serverless::Api", "Properties": {"Cors": {
    "AllowOrigin": "'*'", "AllowHeaders": "'Authorization,Content-Type'", "AllowMethods": "'GET,POST,OPTIONS'",
    "MaxAge": "'600'"}}}}}


def request(method: str, target: str) -> HttpRequest:
    return HttpRequest(method=method, target=target, headers=[("Origin", "http://elsewhere")])


@pytest.fixture
def front() -> WebFront:
    return WebFront(ROUTES, cors_rule(SAM, lambda value: value), "http://127.0.0.1:5000")


def test_preflight_answers_200_with_the_templates_cors_headers_and_no_token(front: WebFront) -> None:
    answer = front.handle(request("OPTIONS", "/v1/complaints/ADU-7K3Q-9G"))
    assert answer is not None and answer.status == 200
    headers = dict(answer.headers)
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Access-Control-Allow-Headers"] == "Authorization,Content-Type"
    assert headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
    assert headers["Access-Control-Max-Age"] == "600"


def test_preflight_on_a_path_without_a_resource_is_left_to_the_gateway(front: WebFront) -> None:
    assert front.handle(request("OPTIONS", "/v2/nothing")) is None


def test_without_cors_in_the_template_there_is_no_preflight() -> None:
    bare = WebFront(ROUTES, cors_rule({"Resources": {}}, lambda value: value), "http://127.0.0.1:5000")
    assert bare.handle(request("OPTIONS", "/v1/complaints")) is None


def test_the_console_and_the_tracking_page_are_served_with_a_strict_policy(front: WebFront) -> None:
    for target, page in (("/", "index.html"), ("/lacak/ADU-7K3Q-9G", "lacak.html")):
        answer = front.handle(request("GET", target))
        assert answer is not None and answer.status == 200
        assert answer.body == (WEB_ROOT / page).read_bytes()
        policy = dict(answer.headers)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy
        assert "connect-src 'self' http://127.0.0.1:5000" in policy


def test_scripts_are_served_as_javascript_and_config_says_local(front: WebFront) -> None:
    script = front.handle(request("GET", "/js/main.js"))
    assert script is not None and "javascript" in dict(script.headers)["Content-Type"]
    config = front.handle(request("GET", "/config.json"))
    assert config is not None and json.loads(config.body)["mode"] == "local"


@pytest.mark.parametrize("target", ["/v1/categories", "/open311/v2/services.json", "/local/token",
                                    "/../pyproject.toml", "/js/../../template.yaml", "/nothing-here.js"])
def test_api_paths_and_anything_outside_web_are_not_served(front: WebFront, target: str) -> None:
    assert front.handle(request("GET", target)) is None


def test_the_console_is_served_only_where_the_template_deploys_one() -> None:
    without = web_front(SAM, ROUTES, lambda value: value, "http://127.0.0.1:5000")
    assert without.handle(request("GET", "/")) is None
    with_cdn = {"Resources": {**SAM["Resources"], "Cdn": {"Type": "AWS::CloudFront::Distribution"}}}
    served = web_front(with_cdn, ROUTES, lambda value: value, "http://127.0.0.1:5000")
    answer = served.handle(request("GET", "/"))
    assert answer is not None and answer.status == 200


def test_web_files_stay_within_the_first_load_budget() -> None:
    # The console's first load (every module it imports, and its stylesheet) stays under 300 KB.
    files = [*Path(WEB_ROOT, "js").glob("*.js"), WEB_ROOT / "app.css", WEB_ROOT / "index.html"]
    assert sum(path.stat().st_size for path in files) < 300_000
