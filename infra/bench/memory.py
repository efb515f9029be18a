"""Resident memory of the local stack while complaints keep coming (issue #10: flat memory).

One LocalStack in this process (so the figure includes the filing clients, a few MB): warm-up complaints,
then batches filed as in the drained-throughput section (half signed WhatsApp webhooks, half API) with
every worker running, each batch drained before the resident set size is read. Reported: RSS after the
warm-up, after each batch, and the growth per 1,000 complaints over the batches after the first.
"""

from __future__ import annotations

import gc
import time
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
            timeout: float = 3600.0) -> dict[str, Any]:
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
        filed = warm_up
        for size in batches:
            filings = drained.file_mixed(stack, filed, size, concurrency)
            drained.wait_drained(stack, timeout)
            filed += size
            lost += size - drained.settle(stack, filings)
            gc.collect()
            points.append({"complaints": filed, "rss_mb": round(resident_mb(), 1)})
    clients.reset()
    later = points[1:]
    growth = None
    if len(later) >= 2:
        growth = round((later[-1]["rss_mb"] - later[0]["rss_mb"])
                       / (later[-1]["complaints"] - later[0]["complaints"]) * 1000, 1)
    return {"tool": TOOL, "points": points, "growth_mb_per_1000": growth, "lost": lost,
            "seconds": round(time.perf_counter() - started, 1)}
