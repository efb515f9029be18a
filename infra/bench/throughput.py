"""Local throughput: the whole local stack (`make local`) driven over HTTP by concurrent clients.

What it measures is this machine running moto, the gateway and every handler in one process — useful to
compare changes and to size a developer's laptop, not a forecast of AWS. Besides request rates it times
the outbox path: from a complaint's 201 until its `TicketCreated` is on the (local) bus.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from infra.bench import drained

TOOL = "infra.bench.throughput (LocalStack in-process, urllib clients)"


def _call(url: str, method: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, None
    except (TimeoutError, urllib.error.URLError):
        return 0, None  # counted as an error: the local stack did not answer within the timeout


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _load(key: str, requests: int, concurrency: int, one: Callable[[int], tuple[int, float]],
          expected: int) -> dict[str, Any]:
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(requests)))
    elapsed = time.perf_counter() - started
    latencies = [ms for _, ms in results]
    return {"key": key, "requests": requests, "concurrency": concurrency,
            "requests_per_second": round(requests / elapsed, 1),
            "p50_ms": round(_percentile(latencies, 0.5), 1), "p99_ms": round(_percentile(latencies, 0.99), 1),
            "errors": sum(1 for status, _ in results if status != expected)}


def measure(requests: int = 100, concurrency: int = 4) -> dict[str, Any]:
    import infra.bench.harness  # noqa: F401 - puts functions/ on the path when run from a checkout
    from aduan.dal import clients
    from infra.local import LocalStack

    # Clients cached by the in-process bench point at another endpoint. Only the clients: importing the
    # handlers here, before the stack sets their environment, would build Metrics without a namespace.
    clients.reset()
    with LocalStack(port=0) as stack:
        # One citizen per complaint: a single one would meet the abuse guard's hourly limit, not the system's.
        citizens = [stack.issue_token("citizen", sub=f"bench-citizen-{n}", name="Bench") for n in range(requests)]
        codes: list[str] = []
        filed_at: dict[str, float] = {}
        filed_by: dict[str, int] = {}

        def file(index: int) -> tuple[int, float]:
            started = time.perf_counter()
            status, body = _call(stack.api_url + "/v1/complaints", "POST", {
                "title": f"Lampu PJU mati #{index}", "text": "Lampu jalan mati sejak tiga hari, gelap sekali.",
                "category_id": "pju-mati"}, citizens[index])
            finished = time.perf_counter()
            if status == 201:
                codes.append(body["tracking_code"])
                filed_at[body["tracking_code"]] = finished
                filed_by[body["tracking_code"]] = index
            return status, (finished - started) * 1000

        def read(index: int) -> tuple[int, float]:
            started = time.perf_counter()
            if not codes:
                return 0, 0.0
            code = codes[index % len(codes)]
            status, _ = _call(stack.api_url + f"/v1/complaints/{code}", "GET", token=citizens[filed_by[code]])
            return status, (time.perf_counter() - started) * 1000

        filing = _load("POST /v1/complaints", requests, concurrency, file, 201)
        reading = _load("GET /v1/complaints/{code}", requests * 2, concurrency, read, 200)
        delays = _outbox_delays(stack, filed_at)
    clients.reset()
    outbox = {"key": "outbox: 201 -> TicketCreated on the bus", "events": len(delays),
              "p50_ms": round(_percentile(delays, 0.5), 1) if delays else None,
              "p99_ms": round(_percentile(delays, 0.99), 1) if delays else None,
              "mean_ms": round(statistics.fmean(delays), 1) if delays else None,
              "requests_per_second": None, "errors": len(filed_at) - len(delays)}
    return {"tool": TOOL, "operations": [filing, reading, outbox]}


def _outbox_delays(stack: Any, filed_at: dict[str, float], timeout: float = 60.0) -> list[float]:
    """Milliseconds from each 201 until the tap saw its TicketCreated (the tap stamps arrival time)."""
    seen: dict[str, float] = {}
    deadline = time.perf_counter() + timeout
    while len(seen) < len(filed_at) and time.perf_counter() < deadline:
        for event in stack.events():
            detail = event.get("detail", {})
            code = detail.get("tracking_code")
            if event.get("detail-type") == "TicketCreated" and code in filed_at and code not in seen:
                seen[code] = time.perf_counter()
        time.sleep(0.05)
    return [(seen[code] - filed_at[code]) * 1000 for code in seen]


def drained_document(stack: Any, filings: list[drained.Filing], seconds: float, drained_in_time: bool,
                     handled: int) -> dict[str, Any]:
    """Complaints per second from the first POST until every queue and stream was empty, and what was lost."""
    replies = [(f.acked_at - f.posted_at).total_seconds() * 1000 for f in filings
               if f.channel == "whatsapp" and f.acked_at]
    created = [(f.acked_at - f.posted_at).total_seconds() * 1000 for f in filings if f.channel == "api" and f.acked_at]

    def percentiles(values: list[float]) -> dict[str, float | None]:
        return {"p50_ms": round(_percentile(values, 0.5), 1) if values else None,
                "p95_ms": round(_percentile(values, 0.95), 1) if values else None}

    return {"key": "drained: filed -> routed, SLA clock, acknowledged", "complaints": len(filings),
            "whatsapp": sum(f.channel == "whatsapp" for f in filings), "api": sum(f.channel == "api" for f in filings),
            "rejected": sum(f.status not in (200, 201) for f in filings), "drained": drained_in_time,
            "seconds": round(seconds, 1), "complaints_per_second": round(len(filings) / seconds, 2),
            "handled": handled, "lost": len(filings) - handled, "dead_letters": drained.dead_letters(stack),
            "whatsapp_post_to_reply": percentiles(replies), "api_post_to_201": percentiles(created)}


def measure_drained(complaints: int = 200, concurrency: int = 8, timeout: float = 900.0) -> dict[str, Any]:
    """A fresh local stack, `complaints` filed at once (half WhatsApp, half API), timed until drained."""
    import infra.bench.harness  # noqa: F401 - puts functions/ on the path when run from a checkout
    from aduan.dal import clients
    from infra.local import LocalStack

    clients.reset()
    with LocalStack(port=0) as stack:
        drained.file_mixed(stack, 0, 4, concurrency)  # warm every handler first
        drained.wait_drained(stack, timeout)
        started, cpu = time.perf_counter(), _cpu_seconds()
        filings = drained.file_mixed(stack, 4, complaints, concurrency)
        finished = drained.wait_drained(stack, timeout)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        document = drained_document(stack, filings, seconds, finished, drained.settle(stack, filings))
        # The stable figure on a shared machine: wall time follows the load, CPU per complaint much less.
        document["cpu_ms_per_complaint"] = round(cpu / max(1, complaints) * 1000)
    clients.reset()
    return document


def _cpu_seconds() -> float:
    """This process's CPU time (user and system), the stack and the bench's own clients together."""
    times = os.times()
    return times.user + times.system


DRAINED_TARGET_PER_SECOND = 20.0


def drained_targets(found: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Issue #10: at least 20 complaints/s drained end to end on this machine, and none lost."""
    if not found:
        return []
    return [{"target": "Local stack: complaints/s drained (routed, SLA clock, acknowledged)",
             "value": found["complaints_per_second"], "limit": DRAINED_TARGET_PER_SECOND,
             "passed": found["complaints_per_second"] >= DRAINED_TARGET_PER_SECOND and found["drained"],
             "note": f"{found['complaints']} complaints, p95 WhatsApp POST->reply "
                     f"{found['whatsapp_post_to_reply']['p95_ms']} ms"},
            {"target": "Local stack: complaints lost when drained", "value": found["lost"], "limit": 0,
             "passed": found["lost"] == 0, "note": f"dead letters: {found['dead_letters']}"}]
