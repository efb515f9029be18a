"""The web console in a real browser: first-load weight and how fast a desk page of 100 complaints renders.

    python -m infra.bench.web [--rows 100] [--runs 5]

The console's own files are served by local mode's front (infra/local/web_front.py); the API is
answered inside the browser with 100 synthetic complaints shaped like `GET /v1/desk/complaints`,
so the figure is the console's work only (building the rows, style, layout, the next frame), not
the API's. Needs Debian's Chromium and Playwright (as the browser tests do).
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from infra.local.apigw import HttpRequest
from infra.local.routes import RouteTable
from infra.local.web_front import WEB_ROOT, WebFront

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
RENDER_TARGET_MS = 200.0
FIRST_LOAD_TARGET_KB = 300.0
CONFIG = Path(__file__).resolve().parents[1] / "config" / "semarang"


@contextmanager
def console_server() -> Iterator[str]:
    """The console's files on a free loopback port, as local mode serves them."""
    front = WebFront(RouteTable(()), None, "http://127.0.0.1:1", WEB_ROOT)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = front.handle(HttpRequest("GET", self.path, list(self.headers.items())))
            status, headers, body = (answer.status, answer.headers, answer.body) if answer else (404, [], b"")
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _reference(name: str) -> Any:
    return json.loads((CONFIG / f"{name}.json").read_text(encoding="utf-8"))


def synthetic_queue(rows: int) -> dict[str, Any]:
    """`rows` complaints as the desk queue returns them: varied categories, areas, deadlines."""
    categories = [c["id"] for c in _reference("categories")]
    areas = [a["code"] for a in _reference("areas")]
    now = datetime.now(UTC)
    items = []
    for n in range(rows):
        due = now + timedelta(hours=(n % 48) - 8)
        items.append({
            "id": f"01JBENCH{n:018d}", "tracking_code": f"ADU-{n:04d}-BN", "version": 1, "status": "received",
            "status_label": {"id": "Diterima", "en": "Received"},
            "priority": ["low", "normal", "high", "urgent"][n % 4],
            "channel": ["app", "whatsapp", "telegram", "sms", "desk"][n % 5], "title": f"Aduan nomor {n} tentang jalan",
            "text": "Ada lubang besar di depan sekolah, berbahaya bagi pengendara motor. " * 2,
            "category_id": categories[n % len(categories)], "anonymous": n % 7 == 0, "confidential": False,
            "location": {"lat": -6.99, "lon": 110.42, "address": "Jl. Pemuda", "area_code": areas[n % len(areas)]},
            "created_at": now.isoformat(), "updated_at": now.isoformat(), "status_since": now.isoformat(),
            "next_due_at": due.isoformat(),
            "overdue": due < now, "allowed_actions": ["verify", "hold", "reject"], "attachments": [],
            "duplicate_candidates": [], "duplicate_count": 0, "reopen_count": 0,
        })
    return {"items": items, "next_cursor": None}


def _verifier_token() -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    # Only the console reads it here (the API is answered in the browser): an unsigned stand-in.
    return f"{part({'alg': 'none'})}.{part({'sub': 'bench', 'cognito:groups': ['verifier'], 'name': 'Bench'})}.x"


def unavailable() -> str | None:
    """Why the browser measurement cannot run here, if it cannot."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed"
    return None if Path(CHROMIUM).exists() else f"no Chromium at {CHROMIUM}"


def measure(rows: int = 100, runs: int = 5) -> dict[str, Any]:
    from playwright.sync_api import Route, sync_playwright

    answers = {
        "/v1/desk/complaints": synthetic_queue(rows), "/v1/categories": _reference("categories"),
        "/v1/agencies": _reference("agencies"),
        "/v1/areas": _reference("areas"),
    }

    def api(route: Route) -> None:
        path = route.request.url.split("://", 1)[1].split("/", 1)[1].split("?", 1)[0]
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answers.get("/" + path, {})))

    render_ms: list[float] = []
    frame_ms: list[float] = []
    first_load: dict[str, int] = {}
    with console_server() as base, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route("**/v1/**", api)
        page.add_init_script(f"sessionStorage.setItem('aduan.token', {json.dumps(_verifier_token())})")

        def weigh(response: Any) -> None:
            if response.url.endswith((".js", ".css")):
                first_load[response.url] = len(response.body())

        page.on("response", weigh)
        page.goto(f"{base}/#/desk")
        for run in range(runs):
            if run:
                page.reload()
            page.wait_for_selector(f"tbody tr:nth-child({rows})")
            render_ms.append(page.evaluate("performance.getEntriesByName('queue-render').pop().duration"))
            page.wait_for_function("performance.getEntriesByName('queue-frame').length > 0")
            frame_ms.append(page.evaluate("performance.getEntriesByName('queue-frame').pop().duration"))
        browser.close()
    first_load_kb = round(sum(first_load.values()) / 1024, 1)
    rendered = round(statistics.median(frame_ms), 1)
    return {
        "rows": rows, "runs": runs,
        "render_script_ms_median": round(statistics.median(render_ms), 1),
        "render_to_next_frame_ms_median": rendered,
        "render_to_next_frame_ms_max": round(max(frame_ms), 1),
        "first_load_js_css_kb": first_load_kb, "first_load_files": len(first_load),
        "targets": [
            {"target": f"console: desk page of {rows} complaints renders, ms (median, to the next frame)",
             "value": rendered, "limit": RENDER_TARGET_MS, "passed": rendered < RENDER_TARGET_MS,
             "note": f"script {round(statistics.median(render_ms), 1)} ms, Chromium headless, {runs} loads"},
            {"target": "console first load, JS + CSS, KB", "value": first_load_kb, "limit": FIRST_LOAD_TARGET_KB,
             "passed": first_load_kb <= FIRST_LOAD_TARGET_KB, "note": f"{len(first_load)} files, uncompressed"},
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.bench.web", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.rows, args.runs), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
