"""`make bench`: AWS calls, capacity units and latency per API operation (under moto), and the cold-import
cost of each handler; prints the results and writes them to docs/bench-results.json.

    python -m infra.bench [--runs 20] [--rounds 15] [--skip-imports] [--skip-throughput] [--requests 100] [--strict]
                            [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from infra.bench import exports, imports, lifecycle, memory, operations, report, sla_sweep, web
from infra.bench import throughput as local_throughput
from infra.bench.harness import TABLES

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO / "docs" / "bench-results.json"
PACKAGES = ("boto3", "botocore", "moto", "aws-lambda-powertools", "pydantic")


def _environment() -> dict[str, Any]:
    versions = {name.replace("aws-lambda-", ""): metadata.version(name) for name in PACKAGES}
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            **versions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="runs of each API operation (default 20)")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved cold-import rounds (default 15)")
    parser.add_argument("--skip-imports", action="store_true", help="only the API operations")
    parser.add_argument("--throughput", type=Path, help="embed this local-stack throughput JSON document instead")
    parser.add_argument("--skip-throughput", action="store_true", help="do not run the local stack")
    parser.add_argument("--requests", type=int, default=100, help="complaints filed in the throughput run")
    parser.add_argument("--drained", type=int, default=200,
                        help="complaints filed and followed until drained (default 200; 0 skips it)")
    parser.add_argument("--memory-batches", default="2000,1000",
                        help="complaints per batch of the local memory run, comma-separated (default 2000,1000; "
                             "'' skips it)")
    parser.add_argument("--export-rows", type=int, default=200_000,
                        help="complaints in the export memory measurement (default 200000; 0 skips it)")
    parser.add_argument("--skip-sla", action="store_true", help="do not measure the SLA sweep")
    parser.add_argument("--skip-lifecycle", action="store_true",
                        help="do not price a complaint's whole life through every worker")
    parser.add_argument("--sla-sizes", default="1000,10000",
                        help="open clocks in the measured SLA sweeps, comma-separated (default 1000,10000)")
    parser.add_argument("--skip-web", action="store_true", help="do not measure the console in Chromium")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"default {DEFAULT_OUTPUT}")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    idempotency_tables = {TABLES["IdempotencyTable"]}
    measured = [report.operation_document(operation, idempotency_tables)
                for operation in operations.run(args.runs)]
    seconds = {"operations": round(time.perf_counter() - started, 1)}
    imported = None
    if not args.skip_imports:
        bare, handlers, xray = imports.measure(args.rounds)
        imported = report.import_document(bare, handlers, args.rounds, xray)
        seconds["imports"] = round(time.perf_counter() - started - seconds["operations"], 1)
    if args.throughput:
        throughput = json.loads(args.throughput.read_text())
    elif args.skip_throughput:
        throughput = report.THROUGHPUT_PLACEHOLDER
    else:
        mark = time.perf_counter()
        throughput = local_throughput.measure(args.requests)
        seconds["throughput"] = round(time.perf_counter() - mark, 1)
    if args.drained:
        mark = time.perf_counter()
        throughput = {**throughput, "drained": local_throughput.measure_drained(args.drained)}
        seconds["drained"] = round(time.perf_counter() - mark, 1)
    local_memory = None
    if args.memory_batches:
        local_memory = memory.measure(tuple(int(size) for size in args.memory_batches.split(",")))
        seconds["local_memory"] = local_memory["seconds"]
    sla_document = None
    if not args.skip_sla:
        mark = time.perf_counter()
        sla_document = sla_sweep.document([int(size) for size in args.sla_sizes.split(",")])
        seconds["sla_sweep"] = round(time.perf_counter() - mark, 1)
    life = None
    if not args.skip_lifecycle:
        mark = time.perf_counter()
        life = lifecycle.document(lifecycle.measure())
        seconds["lifecycle"] = round(time.perf_counter() - mark, 1)
    export = exports.measure(args.export_rows) if args.export_rows else None
    if export:
        seconds["export"] = export["seconds"]
    console = None
    if not args.skip_web:
        why = web.unavailable()
        if why:
            print(f"console measurement skipped: {why}", file=sys.stderr)
        else:
            mark = time.perf_counter()
            console = web.measure()
            seconds["web"] = round(time.perf_counter() - mark, 1)
    document: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": _environment(),
        "settings": {"runs": args.runs, "rounds": None if args.skip_imports else args.rounds},
        "notes": report.NOTES,
        "operations": measured,
        "imports": imported,
        "throughput": throughput,
        "sla_sweep": sla_document,
        "export": export,
        "local_memory": local_memory,
        "lifecycle": life,
        "web": console,
        "targets": report.targets(measured, imported) + exports.targets(export)
        + (lifecycle.targets(life) if life else []) + (console or {}).get("targets", [])
        + local_throughput.drained_targets(throughput.get("drained")) + memory.targets(local_memory),
    }
    document["seconds"] = {"total": round(time.perf_counter() - started, 1), **seconds}
    if sla_document:
        document["targets"].extend(sla_sweep.targets(sla_document))
    print(report.render(document))
    if life:
        print("\nA complaint's whole life (API and every worker):\n" + "\n".join(lifecycle.render(life)))
    if export:
        print(f"\nCSV export of {export['rows']} complaints: {export['bytes'] / 2**20:.0f} MiB in {export['parts']} "
              f"parts, {export['seconds']} s, peak resident memory {export['max_rss_mb']} MB (limit 512 MB)")
    if "drained" in throughput:
        found = throughput["drained"]
        print(f"\nDrained: {found['complaints']} complaints ({found['whatsapp']} WhatsApp, {found['api']} API) in "
              f"{found['seconds']} s = {found['complaints_per_second']}/s (target 20/s), "
              f"{found.get('cpu_ms_per_complaint')} ms CPU per complaint, lost {found['lost']}; "
              f"WhatsApp POST -> reply p50 {found['whatsapp_post_to_reply']['p50_ms']} ms, "
              f"p95 {found['whatsapp_post_to_reply']['p95_ms']} ms")
    if local_memory:
        print(f"Local memory: {local_memory['points']}; growth {local_memory['growth_mb_per_1000']} MB per 1,000 "
              f"complaints (limits: 1 GB at 2,000, 100 MB per 1,000), lost {local_memory['lost']}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.output}")
    failed = [found for found in document["targets"] if not found["passed"]]
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
