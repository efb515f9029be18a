"""What CloudFront and API Gateway answer before a request reaches a function, for local mode.

Two things the REST API's routes do not cover:
- the CORS preflight: SAM's `Cors` property gives every API resource an OPTIONS method with a
  mock integration (200, the Access-Control-* headers, no authorizer); here it is answered from
  the same template property, for every path a route matches;
- the web console in `web/`: in AWS, CloudFront serves the bucket at `/` and rewrites
  `/lacak/<code>` to `lacak.html`; here the same files are served with the same security headers,
  and `/config.json` tells the console it runs locally (sign-in through `/local/token`).
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.apigw import HttpRequest, HttpResponse
from infra.local.routes import RouteTable

WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
# Paths that belong to the API (or local mode) even where a file of that name would exist.
_API_PREFIXES = ("/v1/", "/open311/", "/webhooks/", "/local/", "/openapi.json")
_PAGES = {"/": "index.html", "/lacak": "lacak.html"}


@dataclass(frozen=True)
class CorsRule:
    """SAM's `Cors` property of an API: the values of the preflight's response headers."""

    allow_origin: str
    allow_headers: str | None = None
    allow_methods: str | None = None
    max_age: str | None = None

    def headers(self) -> list[tuple[str, str]]:
        found = [
            ("Access-Control-Allow-Origin", self.allow_origin),
            ("Access-Control-Allow-Headers", self.allow_headers),
            ("Access-Control-Allow-Methods", self.allow_methods),
            ("Access-Control-Max-Age", self.max_age),
        ]
        return [(name, value) for name, value in found if value is not None]


def cors_rule(sam_template: Mapping[str, Any], resolve: Callable[[Any], Any]) -> CorsRule | None:
    """The `Cors` of the template's API (explicit API first, then Globals.Api), quotes stripped."""
    resources = sam_template.get("Resources") or {}
    candidates = [
        (resource.get("Properties") or {}).get("Cors")
        for resource in resources.values()
        if resource.get("Type") == "AWS::Serverless::Api"
    ]
    candidates.append(((sam_template.get("Globals") or {}).get("Api") or {}).get("Cors"))
    for cors in candidates:
        if cors is None:
            continue
        if isinstance(cors, str):  # the short form: only an origin; SAM then allows every method
            return CorsRule(_literal(resolve(cors)), allow_methods="DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT")
        values = {key: _literal(resolve(value)) for key, value in cors.items()}
        return CorsRule(
            values.get("AllowOrigin", "*"),
            values.get("AllowHeaders"),
            values.get("AllowMethods"),
            values.get("MaxAge"),
        )
    return None


def _literal(value: Any) -> str:
    # SAM wants header values as quoted literals ("'*'").
    return str(value).strip("'")


def content_security_policy(upload_origin: str) -> str:
    """The console's policy: its own files and API only, uploads/photos from the storage origin,
    and map tiles from OpenStreetMap (the only internet origin the page may reach)."""
    tiles = "https://tile.openstreetmap.org"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: blob: {upload_origin} {tiles}",
            f"connect-src 'self' {upload_origin}",
            "font-src 'self'",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def web_front(sam_template: Mapping[str, Any], routes: RouteTable, resolve: Callable[[Any], Any],
              upload_origin: str) -> WebFront:
    """The front the template deploys: the console only where it has a CloudFront distribution."""
    resources = (sam_template.get("Resources") or {}).values()
    serves_console = any(resource.get("Type") == "AWS::CloudFront::Distribution" for resource in resources)
    return WebFront(routes, cors_rule(sam_template, resolve), upload_origin, WEB_ROOT if serves_console else None)


class WebFront:
    """Answers preflights and the console's files; `None` lets the gateway route the request."""

    def __init__(
        self,
        routes: RouteTable,
        cors: CorsRule | None,
        upload_origin: str,
        web_root: Path | None = WEB_ROOT,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self._routes = routes
        self._cors = cors
        self._root = web_root.resolve() if web_root is not None else None
        self.serves_console = self._root is not None
        self._config = dict(config or {"mode": "local", "api_base": ""})
        self._security = [
            ("Content-Security-Policy", content_security_policy(upload_origin)),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Frame-Options", "DENY"),
        ]

    def handle(self, request: HttpRequest) -> HttpResponse | None:
        if request.method == "OPTIONS":
            return self._preflight(request)
        if self._root is not None and request.method in ("GET", "HEAD") \
                and not request.path.startswith(_API_PREFIXES):
            return self._static(self._root, request.path)
        return None

    def _preflight(self, request: HttpRequest) -> HttpResponse | None:
        if request.path.startswith("/local/"):  # local-only endpoints: any origin, as their answers say
            return HttpResponse(200, [("Access-Control-Allow-Origin", "*"),
                                      ("Access-Control-Allow-Headers", "Content-Type"),
                                      ("Access-Control-Allow-Methods", "GET,POST,OPTIONS")])
        if self._cors is None or not self._has_resource(request.path):
            return None  # no OPTIONS method: API Gateway answers as for any missing route
        return HttpResponse(200, [("Content-Type", "application/json"), *self._cors.headers()], b"{}")

    def _has_resource(self, path: str) -> bool:
        methods = {route.method for route in self._routes.routes}
        return any(self._routes.match(method, path) is not None for method in methods)

    def _static(self, root: Path, path: str) -> HttpResponse | None:
        if path == "/config.json":
            return self._file_response(json.dumps(self._config).encode(), "application/json")
        segments = [part for part in path.split("/") if part]
        page = _PAGES.get("/" + "/".join(segments[:1])) if len(segments) <= 2 else None
        if path == "/" or (segments and segments[0] == "lacak" and page):
            target = root / (page or "index.html")
        else:
            target = (root / path.lstrip("/")).resolve()
            if root not in target.parents or not target.is_file():
                return None  # not a console file: the API's routes (and their 404) decide
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        return self._file_response(target.read_bytes(), kind)

    def _file_response(self, body: bytes, kind: str) -> HttpResponse:
        headers = [("Content-Type", kind), ("Cache-Control", "no-cache"), *self._security]
        return HttpResponse(200, headers, body)
