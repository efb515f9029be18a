"""The local API Gateway: an HTTP server that authorises, routes and invokes like the REST API.

Requests to /local/* go to the local-only endpoints. Everything else is matched against the
template's routes; a protected route needs a valid local token (the handler is not called
otherwise) and the handler's proxy response is turned back into HTTP. Missing routes, missing
tokens and handler failures are answered with the API's GatewayResponses from the template,
falling back to API Gateway's defaults in the project's error format.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from infra.local.apigw import (
    ApiIdentity,
    HttpRequest,
    HttpResponse,
    MalformedResponse,
    build_proxy_event,
    error_response,
    to_http_response,
)
from infra.local.auth import TokenAuthority
from infra.local.errors import LocalStackError
from infra.local.local_endpoints import PREFIX, LocalEndpoints
from infra.local.routes import ApiConfig, RouteTable
from infra.local.runtime import FunctionError, LambdaRuntime

# Powertools keeps the request being resolved in a class attribute (`BaseRouter.current_event`) that every
# resolver in the process shares: two API functions (say the API and the webhooks) resolving at once in one
# process read each other's event, and a citizen's request lost its claims (401) under the fault test once
# AWS calls were answered in-process. In Lambda each function has its own process; here one request is
# resolved at a time, which under the GIL costs no throughput.
_ONE_RESOLVER_AT_A_TIME = threading.Lock()

LOG = logging.getLogger(__name__)
_DEFAULTS = {
    "MISSING_AUTHENTICATION_TOKEN": (404, "not_found"),
    "UNAUTHORIZED": (401, "unauthorized"),
    "DEFAULT_5XX": (502, "internal_error"),
}


def api_id(logical_id: str) -> str:
    """A stable 10-character id, shaped like a REST API id."""
    return hashlib.sha256(logical_id.encode()).hexdigest()[:10]


class Gateway:
    def __init__(
        self,
        routes: RouteTable,
        apis: Mapping[str, ApiConfig],
        runtime: LambdaRuntime,
        auth: TokenAuthority,
        account_id: str,
        local: LocalEndpoints | None = None,
        host: str = "127.0.0.1",
        port: int = 3000,
        front: Callable[[HttpRequest], HttpResponse | None] | None = None,
    ) -> None:
        self.routes = routes
        self._front = front  # CORS preflights and the web console (infra/local/web_front.py)
        self._apis = dict(apis)
        self._runtime = runtime
        self._auth = auth
        self._account_id = account_id
        self._local = local
        self.host = host
        self.port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host  # reachable locally either way
        return f"http://{host}:{self.port}"

    def handle(self, request: HttpRequest) -> HttpResponse:
        answered = self._front(request) if self._front is not None else None
        if answered is not None:
            return answered
        if self._local is not None and (request.path + "/").startswith(PREFIX):
            return self._local.handle(request)
        match = self.routes.match(request.method, request.path)
        if match is None:
            return self._gateway_response(
                None, "MISSING_AUTHENTICATION_TOKEN", f"No route for {request.method} {request.path}"
            )
        route = match.route
        claims = None
        if route.authorizer is not None:
            claims = self._auth.claims_from_header(request.header(route.authorizer.header))
            if claims is None:
                return self._gateway_response(route.api, "UNAUTHORIZED", "Missing or invalid bearer token")
        config = self._apis[route.api]
        event = build_proxy_event(
            request, match, ApiIdentity(self._account_id, api_id(route.api), config.stage), claims
        )
        try:
            # Bounded: a function that called this gateway back while being invoked would otherwise wait forever.
            resolving = _ONE_RESOLVER_AT_A_TIME.acquire(timeout=60)
            try:
                return to_http_response(self._runtime.invoke(route.function, event))
            finally:
                if resolving:
                    _ONE_RESOLVER_AT_A_TIME.release()
        except FunctionError:
            return self._gateway_response(route.api, "DEFAULT_5XX", "Internal server error")
        except MalformedResponse as error:
            LOG.error("%s returned a malformed proxy response: %s", route.function, error)
            return self._gateway_response(route.api, "DEFAULT_5XX", "Internal server error")

    def _gateway_response(self, api: str | None, kind: str, message: str) -> HttpResponse:
        """API Gateway's response for a request it answers itself, as the template customises it.

        A type the template leaves out falls back to its DEFAULT_4XX/DEFAULT_5XX, as in API Gateway.
        """
        if api is None and len(self._apis) == 1:
            api = next(iter(self._apis))  # a missing route still belongs to the only API
        responses = self._apis[api].gateway_responses if api is not None else {}
        configured = responses.get(kind) or responses.get(
            "DEFAULT_5XX" if kind == "DEFAULT_5XX" else "DEFAULT_4XX"
        )
        default_status, code = _DEFAULTS[kind]
        status = configured.status if configured and configured.status else default_status
        if configured is None or configured.body_template is None:
            response = error_response(status, code, message)
        else:
            body = configured.body_template.replace("$context.error.messageString", json.dumps(message))
            body = body.replace("$context.error.message", message)
            response = HttpResponse(status, [("Content-Type", "application/json")], body.encode())
        if configured is not None:
            response.headers += list(configured.headers.items())
        return response

    def start(self) -> None:
        gateway = self

        class Handler(_RequestHandler):
            def dispatch(self, request: HttpRequest) -> HttpResponse:
                return gateway.handle(request)

        try:
            self._server = _Server((self.host, self.port), Handler)
        except OSError as error:
            raise LocalStackError(f"cannot serve the API on {self.host}:{self.port}: {error}") from error
        self.port = int(self._server.server_address[1])
        Handler.bound_host, Handler.bound_port = self.host, self.port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="local-gateway",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _RequestHandler(BaseHTTPRequestHandler):
    server_version = "aduan-local"
    bound_host = "127.0.0.1"
    bound_port = 0

    def dispatch(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError

    def _serve(self) -> None:
        started = time.monotonic()
        try:
            response = self._respond()
        except Exception:
            LOG.exception("local gateway failed on %s %s", self.command, self.path)
            response = error_response(500, "internal_error", "Local gateway error")
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        elapsed_ms = (time.monotonic() - started) * 1000
        LOG.info("%s %s -> %d (%.0f ms)", self.command, self.path, response.status, elapsed_ms)

    def _respond(self) -> HttpResponse:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return error_response(411, "length_required", "Send a Content-Length instead of a chunked body")
        length = int(self.headers.get("Content-Length") or 0)
        request = HttpRequest(
            method=self.command,
            target=self.path,
            headers=list(self.headers.items()),
            body=self.rfile.read(length) if length else b"",
            source_ip=self.client_address[0],
            host=self.bound_host,
            port=self.bound_port,
        )
        return self.dispatch(request)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:
        pass  # _serve logs one line per request through logging instead
