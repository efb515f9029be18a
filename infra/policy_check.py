"""Policy check of the infrastructure: checkov on template.yaml AND on its CloudFormation translation.

    python -m infra.policy_check                  # `make policy` (part of `make test`)
    python -m infra.policy_check --checkov PATH   # another checkov executable

The SAM template alone hides what the translator generates (roles, stages, permissions, mappings), so
both are checked in one checkov run. Zero failed checks are allowed: a check that does not fit this
system is skipped in the resource's own `Metadata: checkov: skip:` with the reason as `comment`
(tests/template/test_deploy.py refuses a skip without one). The translator copies a serverless
resource's Metadata onto the resource it becomes, so one reason covers both files.

checkov pins many packages (its own boto3 among them), so it lives in its own virtualenv
(.venv-policy, made by the Makefile), never in the project's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from infra.sam import TEMPLATE_PATH, load_template, translate_template

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CHECKOV = REPO / ".venv-policy" / "bin" / "checkov"


def run_checkov(checkov: Path, files: list[Path]) -> list[dict[str, Any]]:
    """One checkov report per file (checkov prints a list for several files, a dict for one)."""
    command = [str(checkov), "--framework", "cloudformation", "--quiet", "--compact", "--skip-download",
               "--output", "json"]
    for path in files:
        command += ["--file", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    # checkov exits 1 when a check fails; anything else without JSON is a crash.
    try:
        reports = json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise RuntimeError(f"checkov did not report (exit {result.returncode}):\n{result.stderr[-3000:]}") from error
    return reports if isinstance(reports, list) else [reports]


def failures(reports: list[dict[str, Any]]) -> list[str]:
    lines = []
    for report in reports:
        for failed in report.get("results", {}).get("failed_checks", []):
            lines.append(f"{Path(failed['file_path']).name}: {failed['resource']} fails {failed['check_id']} "
                         f"({failed['check_name']})")
    return lines


def summary(reports: list[dict[str, Any]]) -> str:
    totals: Counter[str] = Counter()
    for report in reports:
        totals.update({key: int(report["summary"][key]) for key in ("passed", "failed", "skipped")})
    return f"checkov: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped (explained)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.policy_check", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkov", type=Path, default=DEFAULT_CHECKOV, help="checkov executable")
    args = parser.parse_args(argv)
    if not args.checkov.exists():
        print(f"{args.checkov} is missing: run `make policy` (it creates .venv-policy)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        translated = Path(scratch) / "template.translated.json"
        translated.write_text(json.dumps(translate_template(load_template()), indent=1), encoding="utf-8")
        reports = run_checkov(args.checkov, [TEMPLATE_PATH, translated])
    for line in failures(reports):
        print(line, file=sys.stderr)
    print(summary(reports))
    return 1 if failures(reports) else 0


if __name__ == "__main__":
    sys.exit(main())
