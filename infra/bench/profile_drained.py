"""Where a drained run's CPU goes: the throughput bench's drained section under cProfile, every thread,
timed in thread CPU time (waits for sockets, locks and the GIL are not work).

cProfile sees only the thread that enabled it, and local mode's work happens on the gateway's, the pollers'
and moto's threads: each thread started while this runs gets its own profiler, merged at the end.
`python -m infra.bench.profile_drained 100 --out drained.prof` prints the top functions by own time and by
cumulative time, and the run's figures (the profiler roughly doubles the CPU, so compare runs with each other).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import threading
import time
from typing import Any


def profiled(complaints: int, out: str | None) -> tuple[dict[str, Any], pstats.Stats]:
    from infra.bench import throughput

    profiles: list[cProfile.Profile] = []
    lock = threading.Lock()
    original_run = threading.Thread.run

    def run(self: threading.Thread) -> None:
        profile = cProfile.Profile(time.thread_time)
        with lock:
            profiles.append(profile)
        profile.enable()
        try:
            original_run(self)
        finally:
            profile.disable()

    main = cProfile.Profile(time.thread_time)
    threading.Thread.run = run  # type: ignore[method-assign]
    main.enable()
    try:
        document = throughput.measure_drained(complaints)
    finally:
        main.disable()
        threading.Thread.run = original_run  # type: ignore[method-assign]
    stats = pstats.Stats(main)
    for profile in profiles:
        try:
            stats.add(profile)
        except TypeError:  # a thread still running when the run ended has nothing to give
            continue
    if out:
        stats.dump_stats(out)
    return document, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("complaints", type=int, nargs="?", default=100)
    parser.add_argument("--out", help="write the merged profile here (pstats format)")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    document, stats = profiled(args.complaints, args.out)
    print(json.dumps(document, indent=1))
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
