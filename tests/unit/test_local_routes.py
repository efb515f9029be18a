"""Local gateway route matching follows API Gateway REST resources."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.errors import LocalStackError
from infra.local.intrinsics import Resolver
from infra.local.registry import Registry
from infra.local.routes import Route, RouteTable, load_routes
from infra.sam import load_template


def table(*specs: str) -> RouteTable:
    routes = []
    for spec in specs:
        method, path = spec.split(" ")
        routes.append(Route(path, method, f"{method} {path}", "Api", None))
    return RouteTable(routes)


def matched(routes: RouteTable, method: str, path: str) -> tuple[str, dict[str, str]] | None:
    match = routes.match(method, path)
    return (match.route.function, match.path_parameters) if match else None


ROUTES = table(
    "ANY /{proxy+}",
    "GET /v1/categories",
    "GET /v1/complaints/{code}",
    "POST /v1/complaints/{code}/transitions",
    "GET /v1/complaints/mine",
    "GET /",
)


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/v1/categories", ("GET /v1/categories", {})),
        ("GET", "/v1/categories/", ("GET /v1/categories", {})),  # trailing slash ignored
        ("GET", "/v1/complaints/mine", ("GET /v1/complaints/mine", {})),  # literal beats {param}
        ("GET", "/v1/complaints/ADU-1", ("GET /v1/complaints/{code}", {"code": "ADU-1"})),
        ("GET", "/v1/complaints/ADU%2D2", ("GET /v1/complaints/{code}", {"code": "ADU-2"})),
        (
            "POST",
            "/v1/complaints/ADU-1/transitions",
            ("POST /v1/complaints/{code}/transitions", {"code": "ADU-1"}),
        ),
        (
            "DELETE",
            "/v1/complaints/ADU-1/notes/3",
            ("ANY /{proxy+}", {"proxy": "v1/complaints/ADU-1/notes/3"}),
        ),
        ("GET", "/", ("GET /", {})),
        ("GET", "/v1/categories?lang=en", ("GET /v1/categories", {})),
    ],
)
def test_most_specific_resource_wins(method: str, path: str, expected: tuple[str, dict[str, str]]) -> None:
    assert matched(ROUTES, method, path) == expected


def test_a_resource_without_the_method_does_not_fall_back_to_the_greedy_one() -> None:
    # API Gateway picks the resource first; POST /v1/categories is a missing route, not the proxy.
    assert matched(ROUTES, "POST", "/v1/categories") is None


def test_exact_method_beats_any_on_the_same_resource() -> None:
    routes = table("ANY /items", "GET /items")
    assert matched(routes, "GET", "/items") == ("GET /items", {})
    assert matched(routes, "PATCH", "/items") == ("ANY /items", {})


def test_greedy_path_needs_at_least_one_segment_and_root_can_be_unrouted() -> None:
    routes = table("ANY /{proxy+}", "GET /files/{key+}")
    assert matched(routes, "GET", "/") is None
    assert matched(routes, "GET", "/files") == ("ANY /{proxy+}", {"proxy": "files"})
    assert matched(routes, "GET", "/files/a/b.txt") == ("GET /files/{key+}", {"key": "a/b.txt"})


def test_duplicate_routes_are_rejected() -> None:
    with pytest.raises(LocalStackError):
        table("GET /a", "GET /a")


def resolver_for(template: dict[str, Any]) -> Resolver:
    pseudo = {"AWS::Region": "ap-southeast-3", "AWS::AccountId": "123456789012"}
    return Resolver(template, {"Stage": "local"}, pseudo, Registry())


def test_routes_of_the_real_template_with_authorizers() -> None:
    template = load_template()
    routes, apis = load_routes(template, resolver_for(template).resolve)

    by_path = {route.path: route for route in routes.routes}
    assert by_path["/{proxy+}"].method == "ANY" and by_path["/{proxy+}"].function == "ApiFunction"
    assert by_path["/{proxy+}"].authorizer is not None and by_path["/{proxy+}"].authorizer.kind == "cognito"
    for open_path in ("/openapi.json", "/v1/categories", "/v1/agencies", "/v1/areas"):
        assert by_path[open_path].authorizer is None, "Auth: {Authorizer: NONE} overrides the default"
    assert apis["Api"].stage == "local"
    unauthorized = apis["Api"].gateway_responses["UNAUTHORIZED"]
    assert unauthorized.status == 401 and unauthorized.body_template is not None
    assert '"code": "unauthorized"' in unauthorized.body_template
