"""Local fakes of the bodies outside the city government, over real HTTP on loopback: a webhook receiver
(a body we forward to) and SP4N-LAPOR! serving the assumed integration API (adapters/lapor.py).

Tests point a forward's `url` and settings.json `lapor.base_url` at it; `python -m infra.local.external_fakes
--port 3651` runs it beside `make local` for a demo. It checks what a real counterpart would: the webhook
signature and freshness, LAPOR!'s Bearer token, and it can be told to fail the next calls (503) to
exercise retries.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aduan.logic.clock import now
from aduan.logic.forwarding import problem


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class ExternalFakes:
    """What the fakes know (keys, token, reports) and what they received, shared with the test."""

    webhook_keys: dict[str, bytes] = field(default_factory=dict)  # hook name -> signing key
    lapor_token: str = "lapor-local-token"
    reports: list[dict[str, Any]] = field(default_factory=list)  # LAPOR! reports disposed to the city
    fail_next: int = 0  # answer this many calls with 503 first
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def calls(self, prefix: str) -> list[Received]:
        with self._lock:
            return [item for item in self.received if item.path.startswith(prefix)]

    def answer(self, request: Received) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503, {"message": "temporarily unavailable"}
            self.received.append(request)
        parts = [urllib.parse.unquote(part) for part in urllib.parse.urlparse(request.path).path.split("/") if part]
        if parts[:1] == ["hooks"] and len(parts) == 2 and request.method == "POST":
            return self._webhook(parts[1], request)
        if parts[:1] == ["lapor"]:
            if request.headers.get("authorization") != f"Bearer {self.lapor_token}":
                return 401, {"message": "bad token"}
            return self._lapor(parts[1:], request)
        return 404, {"message": "no such path"}

    def _webhook(self, name: str, request: Received) -> tuple[int, dict[str, Any]]:
        key = self.webhook_keys.get(name)
        if key is None:
            return 404, {"message": f"no hook {name}"}
        wrong = problem(key, request.headers.get("x-aduan-timestamp"), request.headers.get("x-aduan-signature"),
                        request.body, now())
        if wrong:
            return 401, {"message": wrong}
        return 200, {"reference": f"{name.upper()}-{len(self.calls('/hooks/'))}"}

    def _lapor(self, parts: list[str], request: Received) -> tuple[int, dict[str, Any]]:
        if request.method == "GET" and parts == ["reports"]:
            query = urllib.parse.parse_qs(urllib.parse.urlparse(request.path).query)
            start = int((query.get("cursor") or ["0"])[0])
            limit = int((query.get("limit") or ["50"])[0])
            page = self.reports[start:start + limit]
            return 200, {"reports": page, "next_cursor": str(start + len(page))}
        if request.method != "POST" or parts[:1] != ["reports"]:
            return 404, {"message": "no such path"}
        if parts == ["reports"]:
            return 201, {"id": f"LAPOR-FWD-{len(self.calls('/lapor/reports'))}"}
        if parts[-1] in ("status", "answers"):
            return 200, {"ok": True}
        return 404, {"message": "no such path"}


class FakeServer:
    """The fakes on 127.0.0.1:<port> (0: any free port), in a daemon thread."""

    def __init__(self, fakes: ExternalFakes, port: int = 0) -> None:
        self.fakes = fakes
        handler = _handler(fakes)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(fakes: ExternalFakes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                               self.rfile.read(length) if length else b"")
            status, document = fakes.answer(request)
            raw = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=3651)
    parser.add_argument("--hook", action="append", default=[], metavar="NAME=KEY",
                        help="a webhook receiver at /hooks/NAME checking signatures with KEY")
    args = parser.parse_args()
    fakes = ExternalFakes(webhook_keys={name: key.encode() for name, key in
                                        (item.split("=", 1) for item in args.hook)})
    with FakeServer(fakes, args.port) as server:
        print(f"webhooks at {server.url}/hooks/<name>, SP4N-LAPOR! at {server.url}/lapor "
              f"(token {fakes.lapor_token})", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
