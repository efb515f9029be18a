"""Cold-import cost of each handler module in template.yaml, measured as Lambda's init phase pays it.

Each measurement is a fresh interpreter that times `import <handler module>` with perf_counter. The
environment is the function's, from the template (fake values for references), plus what Lambda sets:
LAMBDA_TASK_ROOT present and POWERTOOLS_TRACE_DISABLED unset, as with the template's `Tracing: Active`.
Init does not import the X-Ray SDK: our tracer builds Powertools' Tracer on the first invocation whose trace
is sampled (aduan/observability.py). What that invocation adds (the SDK, botocore patched) is measured on
its own, after the API handler's import. A second column has tracing disabled. The yardstick is a bare
handler that imports boto3 (which the Lambda runtime provides) and builds a DynamoDB client at import, as
issue #11 defines it. Runs are interleaved (bare, handler 1, handler 2, ..., bare, ...) so that drift in
machine load hits every column alike.

    python -m infra.bench.imports [--rounds 15]   (this table alone; `make bench` includes it)
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.sam import load_template

REPO = Path(__file__).resolve().parents[2]
FUNCTIONS = REPO / "functions"
REGION = "ap-southeast-3"
BARE_MODULE = "bench_bare_handler"
BARE_SOURCE = ('import boto3\n\nDYNAMODB = boto3.client("dynamodb")\n\n\n'
               "def handler(event, context):\n    return {}\n")
# What the Lambda runtime sets in every python3.12 function (values are placeholders).
LAMBDA_ENVIRONMENT = {
    "LAMBDA_TASK_ROOT": "/var/task", "LAMBDA_RUNTIME_DIR": "/var/runtime",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench", "AWS_SESSION_TOKEN": "bench",
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000", "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
}
# os._exit skips the interpreter's teardown of hundreds of modules: not part of a cold start, and slow.
PROBE = """
import importlib, json, os, sys, time
before = set(sys.modules)
started = time.perf_counter()
importlib.import_module(sys.argv[1])
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "modules": sorted(set(sys.modules) - before)}), flush=True)
sys.stderr.flush()
os._exit(0)
"""
# What the first sampled invocation adds once the handler is imported: Powertools' Tracer as our tracer builds it.
SAMPLED_PROBE = """
import importlib, json, os, sys, time
importlib.import_module(sys.argv[1])
before = set(sys.modules)
started = time.perf_counter()
from aws_lambda_powertools import Tracer
Tracer(patch_modules=["botocore"])
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "modules": sorted(set(sys.modules) - before)}), flush=True)
os._exit(0)
"""


@dataclass
class Target:
    name: str
    module: str
    environment: dict[str, str]


@dataclass
class Measured:
    target: Target
    traced: list[float] = field(default_factory=list)
    untraced: list[float] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    modules_untraced: list[str] = field(default_factory=list)
    self_time_by_package: dict[str, float] = field(default_factory=dict)


def _reference(name: str, template: Mapping[str, Any]) -> str:
    """A parameter's default, or a fake physical name for a resource or pseudo parameter."""
    parameter = template.get("Parameters", {}).get(name)
    if parameter is not None:
        return str(parameter.get("Default", "bench"))
    return f"bench-{name.replace('::', '-').lower()}"


def _resolve(value: Any, template: Mapping[str, Any]) -> str:
    """A template value as the string Lambda would see (fake values where AWS would fill them in)."""
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, dict) and "Ref" in value:
        return _reference(str(value["Ref"]), template)
    if isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str):
        return re.sub(r"\$\{([^}!]+)\}", lambda match: _reference(match.group(1), template), value["Fn::Sub"])
    return "bench-fake"


def handler_targets(template: Mapping[str, Any] | None = None) -> list[Target]:
    """Every function's handler module in the template, with the environment Lambda would give it."""
    template = template or load_template()
    globals_ = template.get("Globals", {}).get("Function", {})
    shared = globals_.get("Environment", {}).get("Variables", {})
    targets = []
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        properties = resource.get("Properties", {})
        variables = {**shared, **properties.get("Environment", {}).get("Variables", {})}
        environment = {name: _resolve(value, template) for name, value in variables.items()}
        environment["AWS_LAMBDA_FUNCTION_NAME"] = _resolve(properties.get("FunctionName", logical_id), template)
        targets.append(Target(logical_id, str(properties["Handler"]).rpartition(".")[0], environment))
    return targets


def _process_environment(target: Target, extra_path: Path, traced: bool) -> dict[str, str]:
    environment = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{FUNCTIONS}{os.pathsep}{extra_path}",
                   **LAMBDA_ENVIRONMENT, **target.environment}
    if not traced:
        environment["POWERTOOLS_TRACE_DISABLED"] = "true"
    return environment


def _probe(target: Target, workdir: Path, traced: bool, *flags: str,
           probe: str = PROBE) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *flags, "-c", probe, target.module], cwd=workdir, check=True,
                          env=_process_environment(target, workdir, traced), capture_output=True, text=True)


def _self_time_by_package(importtime: str, known: set[str]) -> dict[str, float]:
    """Milliseconds of `-X importtime` self time, summed per top-level package, for modules in `known`."""
    totals: dict[str, float] = {}
    for line in importtime.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        self_us, _, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        if self_us.isdigit() and name in known:
            package = name.split(".")[0]
            totals[package] = totals.get(package, 0.0) + int(self_us) / 1000
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def measure(rounds: int, warmup: int = 1) -> tuple[Measured, list[Measured], Measured]:
    """(bare handler, each template handler, the X-Ray SDK on the API's first sampled invocation), `rounds`
    interleaved cold imports each."""
    with tempfile.TemporaryDirectory(prefix="aduan-bench-") as temp:
        workdir = Path(temp)
        (workdir / f"{BARE_MODULE}.py").write_text(BARE_SOURCE, encoding="utf-8")
        handlers = handler_targets()
        bare = Measured(Target("bare (import boto3)", BARE_MODULE, handlers[0].environment if handlers else {}))
        measured = [Measured(target) for target in handlers]
        api = next(target for target in handlers if target.module == "aduan.handlers.api")
        xray = Measured(Target("X-Ray SDK on the first sampled invocation", api.module, api.environment))
        for round_number in range(warmup + rounds):
            found = json.loads(_probe(xray.target, workdir, True, probe=SAMPLED_PROBE).stdout)
            xray.modules = found["modules"]
            if round_number >= warmup:
                xray.traced.append(found["seconds"])
            for entry in [bare, *measured]:
                # The bare handler does not import Powertools: tracing cannot change it.
                for traced in (True,) if entry is bare else (True, False):
                    found = json.loads(_probe(entry.target, workdir, traced).stdout)
                    if round_number >= warmup:
                        (entry.traced if traced else entry.untraced).append(found["seconds"])
                    if traced:
                        entry.modules = found["modules"]
                    else:
                        entry.modules_untraced = found["modules"]
        for entry in [bare, *measured]:
            # One extra run under -X importtime, only to attribute the time to packages.
            extra = set(entry.modules) - (set(bare.modules) if entry is not bare else set())
            report = _probe(entry.target, workdir, True, "-X", "importtime").stderr
            entry.self_time_by_package = _self_time_by_package(report, extra)
        return bare, measured, xray


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000 if samples else float("nan")


def extra_by_package(entry: Measured, bare: Measured, top: int = 10) -> list[tuple[str, int]]:
    extra = set(entry.modules) - set(bare.modules)
    return Counter(name.split(".")[0] for name in extra).most_common(top)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from infra.bench import report

    parser = argparse.ArgumentParser(prog="python -m infra.bench.imports", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15, help="interleaved cold-import rounds (default 15)")
    args = parser.parse_args(argv)
    bare, handlers, xray = measure(args.rounds)
    print("\n".join(report.imports_text(report.import_document(bare, handlers, args.rounds, xray))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
