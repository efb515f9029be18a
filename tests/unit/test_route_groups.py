"""The API's route groups, registered on first use (routes/app.py): every route is reached through its group's
prefixes, and no request could match routes of two groups (so the order groups come in changes nothing)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aduan.routes.app import ROUTE_GROUPS, app, groups_for, register
from infra.bench.imports import _process_environment, handler_targets


def _routes() -> list[tuple[str, str, str, re.Pattern[str]]]:
    """(group, method, an example request path, the route's pattern) of every route of every group."""
    register(list(ROUTE_GROUPS))
    found = []
    for route in app._static_routes + app._dynamic_routes:
        group = route.func.__module__.removeprefix("aduan.routes.")
        if group == "app":  # /openapi.json, registered with the resolver
            continue
        found.append((group, route.method, re.sub(r"<[^>]+>", "x1", route.path), route.rule))
    return found


def test_every_group_has_routes_and_every_route_its_groups_prefix() -> None:
    routes = _routes()
    assert {group for group, *_ in routes} == set(ROUTE_GROUPS)
    for group, method, path, _ in routes:
        assert group in groups_for(path), (group, method, path)


def test_no_request_matches_routes_of_two_groups() -> None:
    routes = _routes()
    for group, method, path, _ in routes:
        matching = {other for other, other_method, _, rule in routes if other_method == method and rule.match(path)}
        assert matching == {group}, (method, path, matching)


@pytest.mark.parametrize(("path", "groups"), [
    ("/v1/categories", ["reference"]),
    ("/v1/complaints", ["complaints", "officers", "public"]),
    ("/v1/me/complaints", ["complaints", "me"]),
    ("/v1/stats/league", ["stats"]),
    ("/v1/statsx", []),
    ("/open311/v2/services.json", ["open311"]),
    ("/nowhere", []),
])
def test_a_path_selects_only_the_groups_it_may_belong_to(path: str, groups: list[str]) -> None:
    assert groups_for(path) == groups


PROBE = """
import json, sys
import aduan.handlers.api
from aduan.routes import app
before = set(sys.modules)
print(json.dumps({"registered": sorted(app._registered), "before": sorted(before)}))
app.register(app.groups_for("/v1/categories"))
print(json.dumps({"registered": sorted(app._registered), "added": sorted(set(sys.modules) - before)}))
"""


def test_the_api_import_registers_no_group_and_a_request_only_its_own(tmp_path: Path) -> None:
    target = next(target for target in handler_targets() if target.module == "aduan.handlers.api")
    done = subprocess.run([sys.executable, "-c", PROBE], env=_process_environment(target, tmp_path, traced=False),
                          cwd=tmp_path, check=True, capture_output=True, text=True)
    at_import, after = (json.loads(line) for line in done.stdout.splitlines())
    assert at_import["registered"] == []
    assert not any(name.startswith("aduan.routes.") and name not in ("aduan.routes.app", "aduan.routes.screen",
                                                                      "aduan.routes.failures")
                   for name in at_import["before"])
    assert after["registered"] == ["reference"]
    assert "aduan.routes.reference" in after["added"]
    assert "aduan.services.tickets" not in after["added"]  # the categories need no complaint service


def test_a_preflight_lists_every_method_of_the_api_whatever_came_first() -> None:
    from aduan.routes.app import handle

    event = {"httpMethod": "OPTIONS", "path": "/v1/categories", "resource": "/v1/categories",
             "headers": {"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
             "multiValueHeaders": {}, "queryStringParameters": None, "requestContext": {"stage": "v1"},
             "body": None, "isBase64Encoded": False}
    answer = handle(event, None)
    assert answer["statusCode"] == 204
    headers = {**answer.get("headers", {}), **{k: ",".join(v) for k, v in answer.get("multiValueHeaders", {}).items()}}
    assert {"DELETE", "GET", "POST", "PUT"} <= {m.strip() for m in headers["Access-Control-Allow-Methods"].split(",")}
