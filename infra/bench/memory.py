"""Resident memory of the local stack while complaints keep coming (issue #10: flat memory).

One LocalStack in this process (so the figure includes the filing clients, a few MB): warm-up complaints,
then batches filed as in the drained-throughput section (half signed WhatsApp webhooks, half API) with
every worker running, each batch drained before the resident set size is read. Reported: RSS after the
warm-up, after each batch, and the growth per 1,000 complaints over the batches after the first.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

from infra.bench import drained

TOOL = "infra.bench.memory (LocalStack in-process, VmRSS from /proc/self/status)"


def resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure(batches: tuple[int, ...] = (2000, 1000), warm_up: int = 20, concurrency: int = 8,
            timeout: float = 3600.0, progress: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """`progress` is given each point as it is read (a long run cut short still leaves its figures)."""
    import infra.bench.harness  # noqa: F401 - puts functions/ on the path when run from a checkout
    from aduan.dal import clients
    from infra.local import LocalStack

    clients.reset()
    points: list[dict[str, Any]] = []
    lost = 0
    started = time.perf_counter()
    with LocalStack(port=0) as stack:
        drained.file_mixed(stack, 0, warm_up, concurrency)
        drained.wait_drained(stack, timeout)
        gc.collect()
        points.append({"complaints": warm_up, "rss_mb": round(resident_mb(), 1)})
        if progress:
            progress(points[-1])
        filed = warm_up
        for size in batches:
            filings = drained.file_mixed(stack, filed, size, concurrency)
            drained.wait_drained(stack, timeout)
            filed += size
            lost += size - drained.settle(stack, filings)
            gc.collect()
            points.append({"complaints": filed, "rss_mb": round(resident_mb(), 1), "lost_so_far": lost,
                           "seconds": round(time.perf_counter() - started, 1)})
            if progress:
                progress(points[-1])
    clients.reset()
    later = points[1:]
    growth = None
    if len(later) >= 2:
        growth = round((later[-1]["rss_mb"] - later[0]["rss_mb"])
                       / (later[-1]["complaints"] - later[0]["complaints"]) * 1000, 1)
    return {"tool": TOOL, "points": points, "growth_mb_per_1000": growth, "lost": lost,
            "seconds": round(time.perf_counter() - started, 1)}


LIMIT_AT_2000_MB = 1024
GROWTH_LIMIT_MB_PER_1000 = 100


def targets(found: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Issue #10's limits: under 1 GB once 2,000 complaints are in, under 100 MB more per further 1,000, none lost."""
    if not found:
        return []
    peak = max(point["rss_mb"] for point in found["points"])
    rows = [{"target": "Local stack: resident memory (MB) at the largest batch", "value": peak,
             "limit": LIMIT_AT_2000_MB, "passed": peak < LIMIT_AT_2000_MB,
             "note": f"after {found['points'][-1]['complaints']} complaints"},
            {"target": "Local stack: complaints lost while measuring memory", "value": found["lost"], "limit": 0,
             "passed": found["lost"] == 0, "note": ""}]
    if found["growth_mb_per_1000"] is not None:
        rows.append({"target": "Local stack: memory growth (MB) per 1,000 further complaints",
                     "value": found["growth_mb_per_1000"], "limit": GROWTH_LIMIT_MB_PER_1000,
                     "passed": found["growth_mb_per_1000"] < GROWTH_LIMIT_MB_PER_1000, "note": ""})
    return rows
