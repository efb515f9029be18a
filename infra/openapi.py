"""The committed OpenAPI document (infra/openapi.json), generated from the API's pydantic models.

`python -m infra.openapi --write` regenerates it; `--check` (and a test) fails when it is stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "infra" / "openapi.json"
if str(ROOT / "functions") not in sys.path:
    sys.path.insert(0, str(ROOT / "functions"))


def render() -> str:
    from aduan.routes.app import openapi_document

    document: dict[str, Any] = openapi_document()
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite infra/openapi.json")
    parser.add_argument("--check", action="store_true", help="exit 1 if infra/openapi.json is stale")
    args = parser.parse_args(argv)
    current = render()
    if args.write:
        COMMITTED.write_text(current, encoding="utf-8")
        return 0
    if args.check:
        stale = not COMMITTED.exists() or COMMITTED.read_text(encoding="utf-8") != current
        if stale:
            print("infra/openapi.json is stale: run make openapi", file=sys.stderr)
        return 1 if stale else 0
    sys.stdout.write(current)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
