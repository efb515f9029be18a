"""The API: one resolver, the routers, one error shape, and the OpenAPI document.

The route groups (one router module each, routes/*.py) are imported and registered when a request that may
belong to them first arrives, not at import: a container pays at cold start only for its own requests' groups
(their models, services and data access), and a model is built on its first validation (models/base.py).
Validation stays on for every route; the OpenAPI document registers every group first.
"""

from __future__ import annotations

import importlib
import json
import threading
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from aduan.logic.errors import DomainError
from aduan.models.limits import limits
from aduan.routes import screen
from aduan.routes.failures import error, unexpected_answer

API_TITLE = "Aduan API"
API_VERSION = "1.0.0"
API_DESCRIPTION = ("Public complaints (aduan) for a city: file, follow, comment and rate (citizens); "
                   "verify, dispose and resolve (officers). Errors share one shape: "
                   '{"error": {"code", "message", "details"}}.')

# Browsers (the web form) call from another origin; the bearer token, not cookies, authenticates.
cors = CORSConfig(allow_origin="*", allow_headers=["Authorization", "Content-Type", "Idempotency-Key"], max_age=600)
app = APIGatewayRestResolver(enable_validation=True, cors=cors)

# Each route group (the module aduan.routes.<name>) and the path prefixes all its routes live under; a request
# registers every group one of whose prefixes its path is, or is under (tests check each route against its
# group's prefixes). No two routes of different groups match the same request, so the order groups come in
# does not change which route answers. In the order the document lists them.
ROUTE_GROUPS: dict[str, tuple[str, ...]] = {
    "complaints": ("/v1/complaints", "/v1/me/complaints"),
    "officers": ("/v1/complaints", "/v1/desk", "/v1/agencies", "/v1/blocked-senders"),
    "reference": ("/v1/categories", "/v1/agencies", "/v1/areas"),
    "public": ("/v1/public/complaints", "/v1/complaints"),
    "open311": ("/open311",),
    "stats": ("/v1/stats", "/v1/public/stats"),
    "exports": ("/v1/exports",),
    "desk": ("/v1/desk",),
    "me": ("/v1/me",),
    "external": ("/v1/external",),
}
_registered: set[str] = set()
_registering = threading.Lock()  # local mode runs functions on threads of one process


def groups_for(path: str) -> list[str]:
    """The route groups a request for `path` may belong to."""
    return [name for name, prefixes in ROUTE_GROUPS.items()
            if any(path == prefix or path.startswith(f"{prefix}/") for prefix in prefixes)]


def register(groups: list[str]) -> None:
    """Import each group's router and add its routes to the resolver, once per process."""
    with _registering:
        for name in groups:
            if name not in _registered:
                app.include_router(importlib.import_module(f"aduan.routes.{name}").router)
                _registered.add(name)


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The API's entry: bodies it will not parse are refused before Powertools tries (routes/screen.py)."""
    # A preflight's answer lists every method the API has (API Gateway answers preflights in front of us).
    register(list(ROUTE_GROUPS) if event.get("httpMethod") == "OPTIONS" else groups_for(str(event.get("path"))))
    try:
        screen.check(event)
    except DomainError as exc:
        origin = screen.header(event, "origin")
        headers = {"Content-Type": content_types.APPLICATION_JSON, **cors.to_dict(origin or "*")}
        body = {"error": {"code": exc.code, "message": exc.message, "details": exc.details}}
        return {"statusCode": exc.status, "headers": headers, "body": json.dumps(body, ensure_ascii=False),
                "isBase64Encoded": False}
    return app.resolve(event, context)


@app.exception_handler(DomainError)
def domain_error(exc: DomainError) -> Response[Any]:
    return error(exc.status, exc.code, exc.message, exc.details)


@app.exception_handler(RequestValidationError)
def invalid_request(exc: RequestValidationError) -> Response[Any]:
    problems = exc.errors()
    shown = limits().request.error_details  # 100,000 unknown keys must not become a 10 MB answer
    details = [
        {"field": ".".join(str(part)[:100] for part in item.get("loc", ())[1:])[:300] or "body",
         "in": str(item.get("loc", ("body",))[0]), "message": str(item.get("msg"))[:300], "type": item.get("type")}
        for item in problems[:shown]
    ]
    if len(problems) > shown:
        details.append({"field": "body", "in": "body", "message": f"and {len(problems) - shown} more problems",
                        "type": "truncated"})
    if any(item["type"] == "json_invalid" for item in details):
        return error(400, "invalid_json", "the request body is not valid JSON", details)
    return error(422, "validation_error", "the request is not valid", details)


@app.exception_handler(RequestUnsupportedContentType)
def unsupported_type(exc: RequestUnsupportedContentType) -> Response[Any]:
    return error(415, "unsupported_media_type", "send JSON (Content-Type: application/json)")


@app.not_found
def not_found(exc: NotFoundError) -> Response[Any]:
    return error(404, "not_found", f"no route {app.current_event.http_method} {app.current_event.path}")


@app.exception_handler(Exception)
def unexpected(exc: Exception) -> Response[Any]:
    return unexpected_answer(exc, "unhandled error")


ERRORS = {
    "400": "Malformed request (invalid JSON or UTF-8, nested too deep)",
    "401": "Missing or invalid bearer token",
    "403": "Not allowed for your role or agency",
    "404": "No such complaint, agency or route",
    "409": "Conflict: stale expected_version, or an action the current status does not allow",
    "422": "Validation error: `details` lists each field",
    "503": "A service we depend on is briefly unavailable: retry after the `Retry-After` seconds",
}
PUBLIC_PATHS = ("/v1/categories", "/v1/agencies", "/v1/areas", "/v1/public/complaints",
                "/v1/public/complaints/{tracking_code}", "/v1/public/stats")
WEBHOOK_ERRORS = {"401": "Missing or wrong signature, or a stale timestamp", "403": "Unknown integration",
                  "404": "No such channel"}
BODY_ERRORS = {"413": "Body larger than the limit (aduan/config/limits.json `request.body_bytes`)",
               "415": "Body not sent as JSON (Content-Type: application/json)"}
# Citizens' filing, comments and uploads are limited (routing.json `abuse`, limits.json `citizen`).
LIMITED = {("/v1/complaints", "post"), ("/v1/complaints/{tracking_code}/comments", "post"),
           ("/v1/complaints/{tracking_code}/attachments", "post")}
TOO_MANY = {"429": "Too many: over a sender's limit (`details.retry_after_seconds`) or a complaint's"}


def openapi_document() -> dict[str, Any]:
    """The generated document, with our one error shape instead of Powertools' default 422 body."""
    # Imported here: the OpenAPI models cost ~100 ms of cold start that no other request needs.
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    from aduan.models.api import ErrorResponse

    register(list(ROUTE_GROUPS))
    schema: dict[str, Any] = app.get_openapi_schema(
        title=API_TITLE, version=API_VERSION, description=API_DESCRIPTION,
        security_schemes={"cognito": HTTPBearer(description="Cognito ID token (local mode: /local/token)")},
        security=[{"cognito": []}],
    ).model_dump(mode="json", by_alias=True, exclude_none=True)
    error_schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(error_schema.pop("$defs", {}))
    components["ErrorResponse"] = error_schema
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    # The channel adapters (and the email parser) describe their webhooks here; no API request needs them.
    from aduan.adapters.channels import CHANNELS
    from aduan.adapters.channels.generic import openapi_operation as generic_webhook
    from aduan.routes.openapi_paths import open311_paths, webhook_paths

    paths = schema.setdefault("paths", {})
    paths["/webhooks/generic"] = {"post": generic_webhook(components)}
    paths.update(webhook_paths(sorted(name for name in CHANNELS if name != "generic")))
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
    for path, operations in paths.items():
        for method, operation in operations.items():
            public, webhook = path in PUBLIC_PATHS, path.startswith("/webhooks/")
            # External bodies' answer callbacks are signed like webhooks but answer 409/422 (routes/external.py).
            signed = path.startswith("/v1/external/")
            if public or webhook or signed:
                operation["security"] = []
            errors = {**ERRORS, **(WEBHOOK_ERRORS if webhook or signed else {}),
                      **(BODY_ERRORS if "requestBody" in operation else {}),
                      **(TOO_MANY if (path, method) in LIMITED else {})}
            for status, description in errors.items():
                if (public and status in ("401", "403", "409")) or (webhook and status in ("409", "422")):
                    continue
                responses = operation.setdefault("responses", {})
                if webhook and status in responses:
                    continue  # the provider's own answer (a handshake's text/plain), documented with its path
                responses[status] = {"description": description, "content": body}
    paths.update(open311_paths())  # its own error shape, listed per operation
    return schema


@app.get("/openapi.json", include_in_schema=False)
def openapi() -> dict[str, Any]:
    return openapi_document()
