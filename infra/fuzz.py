"""Schemathesis over every operation of the API document, as each role, against a running stack.

    python -m infra.fuzz                       # starts a local stack on --port, 200 examples per operation
    python -m infra.fuzz --url http://127.0.0.1:3000 --examples 50

Every operation is called as a citizen, a verifier, a DPU officer, a supervisor and without a token; every
built-in check runs (no 5xx, only documented status codes and content types, bodies that match their
schemas). `make test` runs a bounded pass (tests/fuzz), `make fuzz` a longer one.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "functions") not in sys.path:
    sys.path.insert(0, str(ROOT / "functions"))

ROLES = {"citizen": "role=citizen&sub=fuzz-citizen", "verifier": "role=verifier&sub=fuzz-verifier",
         "agency": "role=agency_officer&sub=fuzz-dpu&agency_id=dpu", "supervisor": "role=supervisor&sub=fuzz-sup"}


@dataclass
class Report:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def summary(self) -> str:
        return (f"{self.requests} requests, {self.server_errors} server errors, {len(self.failures)} failed checks; "
                f"statuses {dict(sorted(self.statuses.items()))}")


def tokens(base_url: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {"anonymous": None}
    for role, query in ROLES.items():
        with urllib.request.urlopen(f"{base_url}/local/token?{query}", timeout=30) as answer:
            found[role] = json.loads(answer.read())["token"]
    return found


def run(base_url: str, max_examples: int, seed: int = 16) -> Report:
    """Every operation x every role; failures are collected (one line each), not raised."""
    import schemathesis
    from schemathesis.config import SchemathesisConfig

    from aduan.routes.app import openapi_document

    # A schema-valid body may still name a category or agency the city does not have: that is a documented
    # 422, not a rejected valid request. Every other check runs as built.
    config = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {
        "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]}}})
    schema = schemathesis.openapi.from_dict(openapi_document(), config=config)
    report = Report()
    credentials = tokens(base_url)
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an Err (invalid document) raises: wanted
        for role, token in credentials.items():
            _probe(operation, base_url, role, token, max_examples, seed, report)
    return report


def _probe(operation: Any, base_url: str, role: str, token: str | None, max_examples: int, seed: int,
           report: Report) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed

    headers = {"Authorization": f"Bearer {token}"} if token else {}

    @fixed_seed(seed)
    @settings(max_examples=max_examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def probe(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=60)
        report.requests += 1
        report.statuses[response.status_code] += 1
        try:
            case.validate_response(response, headers=headers)
        except (Exception, BaseExceptionGroup) as failure:  # FailureGroup: every failed check of this call
            text = " ".join(str(failure).split())[:400]
            report.failures.append(f"{operation.label} as {role} -> {response.status_code}: {text}")

    probe()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running stack (default: start one)")
    parser.add_argument("--port", type=int, default=3500)
    parser.add_argument("--examples", type=int, default=200, help="examples per operation and role")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.url:
        report = run(args.url.rstrip("/"), args.examples)
    else:
        from infra.local import LocalStack

        with LocalStack(port=args.port) as stack:
            report = run(stack.api_url, args.examples)
    for line in report.failures[:200]:
        print(line)
    print(f"{report.summary()} in {time.monotonic() - started:.0f} s")
    return 1 if report.failures or report.server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
