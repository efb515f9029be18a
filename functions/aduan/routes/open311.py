"""Open311 GeoReport v2 (`/open311/v2/...`), JSON and XML. Errors use the spec's own shape
(`[{code, description}]`), not the rest of the API's, because Open311 clients parse it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from aduan.logic import open311
from aduan.logic.open311 import FORMATS, Open311Error
from aduan.observability import logger
from aduan.wiring import open311_service

router = Router()
PREFIX = "/open311/v2"


def _answer(fmt: str, root: str, produce: Callable[[], Any], created: bool = False) -> Response[str]:
    try:
        open311_service().check_jurisdiction((router.current_event.query_string_parameters or {})
                                             .get("jurisdiction_id"))
        body, status = produce(), 201 if created else 200
    except Open311Error as error:
        body, status, root = open311.errors(error.status, error.description), error.status, "errors"
    except Exception:
        logger.exception("open311 request failed")
        body, status, root = open311.errors(500, "internal error; retry later"), 500, "errors"
    return Response(status_code=status, content_type=FORMATS[fmt], body=open311.render(fmt, root, body))


def _resource(resource: str, expected: tuple[str, ...] | None = None) -> tuple[str, str] | Response[str]:
    """(name, format) of `name.json`/`name.xml`, or the 404 answer; `expected` limits the names."""
    try:
        name, fmt = open311.split_format(resource)
        if expected is not None and name not in expected:
            raise Open311Error(404, f"no resource {resource!r}")
    except Open311Error as error:
        return Response(status_code=404, content_type=FORMATS["json"],
                        body=open311.render("json", "errors", open311.errors(404, error.description)))
    return name, fmt


def _base_url() -> str:
    event = router.current_event
    context_path = (event.get("requestContext") or {}).get("path") or event.path
    stage_prefix = context_path[: len(context_path) - len(event.path)] if context_path.endswith(event.path) else ""
    host = event.headers.get("Host") or event.headers.get("host") or "localhost"
    scheme = "http" if host.startswith(("127.0.0.1", "localhost")) else "https"
    return f"{scheme}://{host}{stage_prefix}{PREFIX}"


@router.get(f"{PREFIX}/<resource>", include_in_schema=False)
def collection(resource: str) -> Response[str]:
    found = _resource(resource, ("discovery", "services", "requests"))
    if isinstance(found, Response):
        return found
    name, fmt = found
    service = open311_service()
    params = dict(router.current_event.query_string_parameters or {})
    if name == "discovery":
        return _answer(fmt, "discovery", lambda: service.discovery(_base_url()))
    if name == "services":
        return _answer(fmt, "services", service.services)
    return _answer(fmt, "service_requests", lambda: service.search(params))


@router.get(f"{PREFIX}/services/<resource>", include_in_schema=False)
def definition(resource: str) -> Response[str]:
    found = _resource(resource)
    if isinstance(found, Response):
        return found
    code, fmt = found
    return _answer(fmt, "service_definition", lambda: open311_service().definition(code))


@router.get(f"{PREFIX}/requests/<resource>", include_in_schema=False)
def one_request(resource: str) -> Response[str]:
    found = _resource(resource)
    if isinstance(found, Response):
        return found
    code, fmt = found
    return _answer(fmt, "service_requests", lambda: open311_service().request(code))


@router.get(f"{PREFIX}/tokens/<resource>", include_in_schema=False)
def token(resource: str) -> Response[str]:
    found = _resource(resource)
    if isinstance(found, Response):
        return found
    value, fmt = found
    return _answer(fmt, "service_requests", lambda: open311_service().token(value))


@router.post(f"{PREFIX}/<resource>", include_in_schema=False)
def create(resource: str) -> Response[str]:
    found = _resource(resource, ("requests",))
    if isinstance(found, Response):
        return found
    _, fmt = found
    form = parse_qs(router.current_event.decoded_body or "", keep_blank_values=True)
    source_ip = ((router.current_event.get("requestContext") or {}).get("identity") or {}).get("sourceIp")
    return _answer(fmt, "service_requests", lambda: open311_service().create(form, source_ip), created=True)
