"""The embedded AWS answered inside the process: boto3 calls to moto without loopback HTTP.

Every AWS call a function makes went boto3 -> urllib3 -> a socket -> moto's werkzeug server (a new thread
per request) -> the WSGI app, and back. A botocore `before-send` hook (as moto's own `mock_aws` answers its
calls) hands the signed request to the same WSGI app the server runs, on the caller's thread, and returns
its answer as the AWSResponse botocore would have read from the socket. What the server wraps around moto
applies unchanged (the WSGI chain is the server's own: the write counter, the DynamoDB lock, request tokens),
so do the fault injector (its hook runs first: it is installed before this one) and everything botocore does
around the send (signing, retries, parsing).

Only requests aimed at this stack's moto URL, of the JSON/query services the functions call in bulk
(DynamoDB and its streams, SQS, EventBridge, SSM), are answered here. S3 (streamed bodies, presigned URLs,
the browser's direct uploads) and every outside client (CLI, console, `curl`) keep using the HTTP server.
"""

from __future__ import annotations

import importlib
import io
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders

from infra.local.faults import ResponseBody

# As botocore names them in event names (the service id, hyphenated).
SERVICES = frozenset({"dynamodb", "dynamodb-streams", "sqs", "eventbridge", "ssm"})
_EVENT = "before-send"
# JSON-protocol targets (X-Amz-Target prefix) -> moto's handler class for them, all served at "/".
_HANDLERS = {
    "DynamoDB_20120810": ("moto.dynamodb.responses", "DynamoHandler"),
    "DynamoDBStreams_20120810": ("moto.dynamodbstreams.responses", "DynamoDBStreamsHandler"),
    "AmazonSQS": ("moto.sqs.responses", "SQSResponse"),
    "AWSEvents": ("moto.events.responses", "EventsHandler"),
    "AmazonSSM": ("moto.ssm.responses", "SimpleSystemManagerResponse"),
}
WsgiApp = Callable[[dict[str, Any], Any], Any]


def direct_dispatch(app: WsgiApp) -> WsgiApp:
    """JSON-protocol requests handed straight to moto's handler class, as `mock_aws` does, skipping what the
    server puts in front of it for every service (service detection from the signature, a Flask app with its
    URL map, request context and CORS extension); the handler, its parser and serialiser are moto's own, so
    the answer is moto's. Anything else goes to `app`."""
    dispatchers: dict[str, Callable[..., Any]] = {}

    def dispatcher(prefix: str) -> Callable[..., Any] | None:
        if prefix not in dispatchers and prefix in _HANDLERS:
            module, name = _HANDLERS[prefix]
            dispatchers[prefix] = getattr(importlib.import_module(module), name).dispatch
        return dispatchers.get(prefix)

    def direct(environ: dict[str, Any], start_response: Any) -> Any:
        prefix = str(environ.get("HTTP_X_AMZ_TARGET", "")).partition(".")[0]
        handler = dispatcher(prefix) if environ.get("PATH_INFO") == "/" else None
        if handler is None:
            return app(environ, start_response)
        from moto.core.exceptions import HTTPException
        from moto.core.request import Request

        request = Request(environ)
        try:
            status, headers, body = handler(request, request.raw_url, request.headers)
        except HTTPException as error:  # as moto's server (werkzeug) turns them into answers
            status, headers, body = error.code, dict(error.get_headers()), error.get_body()
        payload = body.encode("utf-8") if isinstance(body, str) else bytes(body or b"")
        listed = [(str(k), str(v)) for k, v in headers.items() if str(k).lower() not in ("status", "content-length")]
        start_response(f"{int(status)} {HTTPStatus(int(status)).phrase}",
                       [*listed, ("Content-Length", str(len(payload)))])
        return [payload]

    return direct


class InProcessAws:
    """Installed for the life of one stack; `answered` counts the requests that never touched a socket."""

    def __init__(self, base_url: str, app: Callable[[dict[str, Any], Any], Any]) -> None:
        self._base = base_url.rstrip("/")
        self._netloc = urlsplit(self._base).netloc
        self._app = app
        self._lock = threading.Lock()
        self._hook: Any = self.before_send  # botocore's hook type says handlers return None; this one answers
        self._spec = (_EVENT, self._hook, botocore.handlers.REGISTER_LAST)
        self.answered = 0
        self.installed = False

    def install(self) -> None:
        import boto3

        # Last, so that other before-send hooks (the fault injector's) decide first, whatever the install order.
        botocore.handlers.BUILTIN_HANDLERS.append(self._spec)
        if boto3.DEFAULT_SESSION is not None:  # a session that exists already (its clients are reset by the caller)
            boto3.DEFAULT_SESSION.events.register_last(_EVENT, self._hook)
        self.installed = True

    def uninstall(self) -> None:
        import boto3

        while self._spec in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.remove(self._spec)
        if boto3.DEFAULT_SESSION is not None:
            boto3.DEFAULT_SESSION.events.unregister(_EVENT, self._hook)
        self.installed = False

    def before_send(self, request: AWSPreparedRequest, event_name: str, **_: Any) -> AWSResponse | None:
        # A client built while an earlier stack ran keeps that stack's hook: inert once uninstalled.
        if not self.installed or event_name.split(".")[1] not in SERVICES or not self.serves(request):
            return None
        status, headers, body = self.call(request)
        with self._lock:
            self.answered += 1
        return AWSResponse(request.url, status, headers, ResponseBody(body))

    def serves(self, request: AWSPreparedRequest) -> bool:
        if not request.url.startswith(self._base) or urlsplit(request.url).netloc != self._netloc:
            return False
        body = request.body
        # A streamed body, or a header WSGI cannot carry apart from its dashed twin: the server does it.
        streamed = not isinstance(body, (bytes, bytearray, str, type(None)))
        return not streamed and not any("_" in name for name in request.headers)

    def call(self, request: AWSPreparedRequest) -> tuple[int, HTTPHeaders, bytes]:
        answer: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> Callable[[bytes], None]:
            answer[:] = [int(status.split(" ", 1)[0]), headers]
            return lambda _data: None  # the legacy write() callable; moto's apps return their bodies

        chunks = self._app(wsgi_environ(request), start_response)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        headers = HTTPHeaders()
        for name, value in answer[1]:
            headers[name] = value
        return answer[0], headers, body


def wsgi_environ(request: AWSPreparedRequest) -> dict[str, Any]:
    """The environ werkzeug's server builds for this request (the fields moto and Flask read)."""
    parts = urlsplit(request.url)
    given = request.body or b""  # serves() let only whole bodies through
    body = given.encode("utf-8") if isinstance(given, str) else bytes(given)  # type: ignore[arg-type]
    host, _, port = parts.netloc.partition(":")
    raw_path = parts.path or "/"
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(raw_path).decode("latin-1"),
        "QUERY_STRING": parts.query,
        "RAW_URI": raw_path + (f"?{parts.query}" if parts.query else ""),
        "REQUEST_URI": raw_path + (f"?{parts.query}" if parts.query else ""),
        "SERVER_NAME": host,
        "SERVER_PORT": port or "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "0",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": parts.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": parts.netloc,
    }
    for name, value in request.headers.items():
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = text
        elif key != "CONTENT_LENGTH":
            environ[f"HTTP_{key}"] = text
    return environ
