"""The REST API's routes, read from the SAM template's `Api` events, and API Gateway's path matching.

Routes come from the original SAM template (the translated one hides them inside a Swagger body).
Matching follows API Gateway REST resources: the most specific resource wins (a literal segment
beats `{param}`, which beats `{proxy+}`), and only then is the method looked up (exact before
ANY). A resource that matches the path but lacks the method does not fall back to a greedy
resource: API Gateway answers that request with its missing-route response too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from infra.local.errors import LocalStackError

LOG = logging.getLogger(__name__)
IMPLICIT_API = "ServerlessRestApi"
_LITERAL, _PARAM, _GREEDY = 2, 1, 0


@dataclass(frozen=True)
class Authorizer:
    """How a route is protected. Only Cognito user pools are emulated (with local tokens)."""

    name: str
    kind: str  # "cognito", "lambda" or "iam"
    header: str = "Authorization"


@dataclass(frozen=True)
class GatewayResponse:
    status: int | None  # None: the response type's default status
    body_template: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiConfig:
    logical_id: str
    stage: str
    gateway_responses: Mapping[str, GatewayResponse] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    path: str
    method: str  # upper case, or ANY
    function: str  # logical id of the function
    api: str
    authorizer: Authorizer | None

    @property
    def segments(self) -> tuple[str, ...]:
        return split_path(self.path)


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    path_parameters: dict[str, str]


def split_path(path: str) -> tuple[str, ...]:
    # API Gateway ignores a trailing slash; the root resource has no segments.
    return tuple(segment for segment in path.strip("/").split("/") if segment != "")


class RouteTable:
    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = tuple(routes)
        self._by_resource: dict[str, dict[str, Route]] = {}
        for route in self.routes:
            methods = self._by_resource.setdefault("/" + "/".join(route.segments), {})
            if route.method in methods:
                raise LocalStackError(f"two functions serve {route.method} {route.path}")
            methods[route.method] = route

    def match(self, method: str, raw_path: str) -> RouteMatch | None:
        """The route for a request path (still percent-encoded), or None like API Gateway's 403/404."""
        segments = [unquote(segment) for segment in split_path(raw_path.split("?", 1)[0])]
        best: tuple[tuple[int, ...], str, dict[str, str]] | None = None
        for resource in self._by_resource:
            found = _match_resource(split_path(resource), segments)
            if found is not None and (best is None or found[0] > best[0]):
                best = (found[0], resource, found[1])
        if best is None:
            return None
        methods = self._by_resource[best[1]]
        route = methods.get(method.upper()) or methods.get("ANY")
        return RouteMatch(route, best[2]) if route else None


def _match_resource(
    template: tuple[str, ...], segments: list[str]
) -> tuple[tuple[int, ...], dict[str, str]] | None:
    """Specificity key and path parameters when the resource path matches the request path."""
    key: list[int] = []
    params: dict[str, str] = {}
    for index, part in enumerate(template):
        if part.startswith("{") and part.endswith("+}"):
            rest = segments[index:]
            if index != len(template) - 1 or not rest:
                return None
            params[part[1:-2]] = "/".join(rest)
            return (*key, _GREEDY), params
        if index >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = segments[index]
            key.append(_PARAM)
        elif part == segments[index]:
            key.append(_LITERAL)
        else:
            return None
    return (tuple(key), params) if len(template) == len(segments) else None


Resolve = Callable[[Any], Any]


def load_routes(sam_template: Mapping[str, Any], resolve: Resolve) -> tuple[RouteTable, dict[str, ApiConfig]]:
    """Routes of every `Api` event in the SAM template, plus the settings of the APIs they use."""
    resources: Mapping[str, Any] = sam_template.get("Resources") or {}
    global_api = ((sam_template.get("Globals") or {}).get("Api")) or {}
    routes: list[Route] = []
    apis: dict[str, ApiConfig] = {}
    for function_id, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        events = (resource.get("Properties") or {}).get("Events") or {}
        for event_id, event in events.items():
            if event.get("Type") != "Api":
                continue
            props = event.get("Properties") or {}
            api_id = _api_logical_id(props.get("RestApiId"), f"{function_id}.{event_id}")
            api_props = _api_properties(resources, api_id, global_api)
            if api_id not in apis:
                apis[api_id] = _api_config(api_id, api_props, resolve)
            routes.append(
                Route(
                    path=str(resolve(props["Path"])),
                    method=str(resolve(props["Method"])).upper(),
                    function=function_id,
                    api=api_id,
                    authorizer=_route_authorizer(props.get("Auth") or {}, api_props.get("Auth") or {}),
                )
            )
    return RouteTable(routes), apis


def _api_logical_id(rest_api_id: Any, where: str) -> str:
    if rest_api_id is None:
        return IMPLICIT_API
    if isinstance(rest_api_id, Mapping) and "Ref" in rest_api_id:
        return str(rest_api_id["Ref"])
    raise LocalStackError(f"{where}: RestApiId must be a Ref to an AWS::Serverless::Api in this template")


def _api_properties(
    resources: Mapping[str, Any], api_id: str, global_api: Mapping[str, Any]
) -> dict[str, Any]:
    if api_id == IMPLICIT_API:
        return {"StageName": "Prod", **global_api}
    api = resources.get(api_id) or {}
    if api.get("Type") != "AWS::Serverless::Api":
        raise LocalStackError(f"RestApiId {api_id} is not an AWS::Serverless::Api")
    props = api.get("Properties") or {}
    if props.get("DefinitionBody") or props.get("DefinitionUri"):
        LOG.warning("%s has an OpenAPI definition; local mode serves only the Api events' routes", api_id)
    # Globals.Api apply to explicit APIs too; the API's own properties win.
    return {**global_api, **props}


def _api_config(api_id: str, props: Mapping[str, Any], resolve: Resolve) -> ApiConfig:
    responses: dict[str, GatewayResponse] = {}
    for kind, spec in (props.get("GatewayResponses") or {}).items():
        spec = resolve(spec)
        templates = spec.get("ResponseTemplates") or {}
        headers = ((spec.get("ResponseParameters") or {}).get("Headers")) or {}
        responses[kind] = GatewayResponse(
            status=int(spec["StatusCode"]) if spec.get("StatusCode") else None,
            body_template=templates.get("application/json"),
            # SAM wants header values as quoted literals ("'*'"); strip the quotes.
            headers={name: str(value).strip("'") for name, value in headers.items()},
        )
    return ApiConfig(api_id, str(resolve(props.get("StageName", "Prod"))), responses)


def _route_authorizer(route_auth: Mapping[str, Any], api_auth: Mapping[str, Any]) -> Authorizer | None:
    name = route_auth.get("Authorizer", api_auth.get("DefaultAuthorizer"))
    if not name or name == "NONE":
        return None
    if name == "AWS_IAM":
        LOG.warning("AWS_IAM auth is emulated with local tokens")
        return Authorizer(name, "iam")
    spec = (api_auth.get("Authorizers") or {}).get(name)
    if spec is None:
        raise LocalStackError(f"authorizer {name} is not defined on its API")
    header = ((spec.get("Identity") or {}).get("Header")) or "Authorization"
    if "UserPoolArn" in spec:
        return Authorizer(name, "cognito", header)
    LOG.warning("authorizer %s is a Lambda authorizer; local mode checks local tokens instead", name)
    return Authorizer(name, "lambda", header)
