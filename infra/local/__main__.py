"""`python -m infra.local` (make local): run Aduan locally until Ctrl-C.

Prints what is running and example requests, then serves until SIGINT/SIGTERM and shuts down
cleanly (gateway, pollers, scheduler, moto), exiting 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from infra.local.errors import LocalStackError
from infra.local.faults import FaultPlan
from infra.local.stack import LocalStack
from infra.local.template import DEFAULT_TEMPLATE

CITY_CATEGORIES = Path(__file__).resolve().parents[1] / "config" / "semarang" / "categories.json"
DEFAULT_STATE = Path(__file__).resolve().parents[2] / ".local-state"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--host", default="127.0.0.1", help="API interface (default loopback; moto stays on loopback)"
    )
    parser.add_argument("--port", type=int, default=3000, help="API port (default 3000; 0 picks a free one)")
    parser.add_argument("--moto-port", type=int, default=0, help="moto port (default: a free one)")
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE, help="SAM template to run")
    parser.add_argument("--region", default=None, help="AWS region to emulate (default ap-southeast-3)")
    parser.add_argument("--no-seed", action="store_true", help="do not seed the city configuration")
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE,
                        help=f"where data is kept across restarts (default {DEFAULT_STATE})")
    parser.add_argument("--fresh", action="store_true",
                        help="start empty: the previous state is moved aside (renamed, never deleted)")
    parser.add_argument("--no-state", action="store_true", help="keep nothing across restarts")
    parser.add_argument("--faults", default=os.environ.get("LOCAL_FAULTS"), metavar="rate=0.1,seed=7,crash=0.3",
                        help="inject AWS faults into the functions' calls (docs/local-mode.md; env LOCAL_FAULTS)")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser.parse_args(argv)


def summary(stack: LocalStack) -> str:
    runtime = stack.runtime
    lines = [f"Aduan local mode ({stack.region}, account {stack.account_id})", ""]
    lines.append("Functions:")
    for spec in runtime.functions.values() if runtime else []:
        lines.append(f"  {spec.logical_id:<24} {spec.name}  ({spec.handler})")
    lines.append("Resources:")
    for resource in stack.registry:
        if resource.emulated and resource.type not in (
            "AWS::Lambda::Function",
            "AWS::Lambda::EventSourceMapping",
        ):
            lines.append(f"  {resource.logical_id:<24} {resource.type:<26} {resource.ref}")
    lines.append("Event source mappings:")
    for mapping in stack.mappings:
        source = mapping.source_arn.split(":", 5)[-1]
        lines.append(f"  {mapping.logical_id:<24} {source} -> {mapping.function}")
    lines.append("Schedules:")
    for schedule in stack.schedules:
        targets = ", ".join(t.function or t.queue_url or "?" for t in schedule.targets)
        lines.append(
            f"  {schedule.logical_id:<24} {schedule.expression} -> {targets}"
            f"   (run now: curl -X POST {stack.api_url}/local/schedules/{schedule.logical_id})"
        )
    lines.append("Routes:")
    for route in stack.routes.routes:
        auth = "token" if route.authorizer else "open"
        lines.append(f"  {route.method:<6} {route.path:<28} {auth:<6} -> {route.function}")
    lines += [
        "",
        f"API:  {stack.api_url}",
        f"Console: {stack.api_url}/  (tracking page: {stack.api_url}/lacak/<tracking_code>)",
        f"moto: {stack.moto_url} (AWS_ENDPOINT_URL for the aws CLI / boto3)",
    ]
    lines += ["", _state_line(stack), "", _examples(stack.api_url), "", "Ctrl-C stops everything."]
    return "\n".join(lines)


def _state_line(stack: LocalStack) -> str:
    if stack.state is None:
        return "State: not kept (--no-state): everything is gone after Ctrl-C."
    where = f"State: {stack.state.directory} (saved every few seconds and on Ctrl-C; `make local-fresh` starts empty)"
    if stack.set_aside is not None:
        return f"{where}\n  started empty; the previous state was moved to {stack.set_aside}"
    if stack.restored is None:
        return f"{where}\n  no saved state: started empty"
    got = stack.restored
    return (f"{where}\n  restored {got.items} items, {got.stream_records} unrelayed stream records, "
            f"{got.messages} queued messages, {got.objects} objects, {got.parameters} parameters, "
            f"clock offset {got.clock_offset}")


def _example_category() -> str:
    # The seeded city's first category makes the example request work as pasted.
    try:
        categories = json.loads(CITY_CATEGORIES.read_text(encoding="utf-8"))
        return str(categories[0]["id"])
    except (OSError, ValueError, LookupError, TypeError):
        return "<an id from /v1/categories>"


def _examples(api: str) -> str:
    json_field = "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"{}\"])'"
    return "\n".join(
        [
            "Try it:",
            f"  TOKEN=$(curl -s '{api}/local/token?role=citizen' | {json_field.format('token')})",
            f"  curl -s {api}/v1/categories",
            f'  curl -s -X POST {api}/v1/complaints -H "Authorization: Bearer $TOKEN" \\',
            "       -H 'Content-Type: application/json' \\",
            '       -d \'{"title": "Jalan berlubang", "text": "Lubang besar di depan sekolah", '
            f'"category_id": "{_example_category()}", '
            '"location": {"lat": -6.9932, "lon": 110.4203, "address": "Jl. Pemuda 1, Semarang"}}\'',
            f'  curl -s {api}/v1/complaints/<tracking_code> -H "Authorization: Bearer $TOKEN"',
            f"  VERIFIER=$(curl -s '{api}/local/token?role=verifier' | {json_field.format('token')})",
            f"  curl -s -X POST {api}/v1/complaints/<tracking_code>/transitions \\",
            '       -H "Authorization: Bearer $VERIFIER" \\',
            '       -H \'Content-Type: application/json\' -d \'{"action": "verify", "expected_version": 1}\'',
            f"  curl -s {api}/local/events        # domain events published on the bus",
            f"  curl -s {api}/local/health",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    stack = LocalStack(
        args.template,
        host=args.host,
        port=args.port,
        moto_port=args.moto_port,
        region=args.region,
        seed=not args.no_seed,
        state_dir=None if args.no_state else args.state_dir,
        fresh=args.fresh,
        faults=FaultPlan.parse(args.faults) if args.faults else None,
    )
    try:
        stack.start()
    except LocalStackError as error:
        print(f"local mode could not start: {error}", file=sys.stderr)
        return 1
    try:
        print(summary(stack), flush=True)
        while not stopping.wait(0.5):
            pass
    finally:
        print("\nstopping...", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
