"""A complaint's whole life, priced: every API step and every worker the events reach.

One web complaint (and one filed from WhatsApp) is filed, verified, assigned, accepted, started, resolved,
rated and closed. After each step the outbox is drained as on AWS: the stream's new `EV#` records go
through the event relay's own `bus_entry`, each bus event goes to the functions whose rules in
template.yaml match it (routing, SLA tracker, statistics, notifier), what those write to the outbox is
relayed in turn, and the delivery queue is drained by the sender. Every AWS call on the way is recorded
and priced (infra/bench/capacity.py), and attributed to the step and the function that made it.
"""

from __future__ import annotations

import importlib
import json
import os
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from typing import Any

from infra.bench.harness import BUS, aws, bench_context, enable_stream, outbox_records, rest_event
from infra.bench.operations import COMPLAINT, TRANSITIONS
from infra.bench.recorder import Call, Recorder
from infra.sam import load_template

STEPS: list[tuple[str, str, dict[str, Any]]] = [
    *TRANSITIONS, ("citizen", "rate", {"score": 5, "comment": "Cepat, terima kasih"}), ("citizen", "close", {})]
Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class Spent:
    wcu: float = 0.0
    rcu: float = 0.0
    calls: int = 0
    dynamodb_calls: int = 0

    def add(self, calls: list[Call]) -> None:
        for call in calls:
            self.calls += 1
            if call.cost is not None:
                self.dynamodb_calls += 1
                self.wcu += call.cost.total_wcu
                self.rcu += call.cost.rcu


@dataclass
class Life:
    channel: str
    by_step: dict[str, dict[str, Spent]] = field(default_factory=dict)  # step -> function -> spent

    def total(self) -> Spent:
        whole = Spent()
        for functions in self.by_step.values():
            for spent in functions.values():
                whole.wcu += spent.wcu
                whole.rcu += spent.rcu
                whole.calls += spent.calls
                whole.dynamodb_calls += spent.dynamodb_calls
        return whole

    def by_function(self) -> dict[str, Spent]:
        found: dict[str, Spent] = defaultdict(Spent)
        for functions in self.by_step.values():
            for name, spent in functions.items():
                into = found[name]
                into.wcu += spent.wcu
                into.rcu += spent.rcu
                into.calls += spent.calls
                into.dynamodb_calls += spent.dynamodb_calls
        return dict(found)


def _logical(reference: Any) -> str:
    """`!GetAtt X.Arn` as the template loader gives it -> X."""
    if isinstance(reference, dict) and "Fn::GetAtt" in reference:
        target = reference["Fn::GetAtt"]
        return str(target[0] if isinstance(target, list) else target.split(".")[0])
    return str(reference).split(".")[0]


def subscriptions() -> list[tuple[dict[str, Any], str]]:
    """(event pattern, handler path) for every bus rule whose target queue feeds a function."""
    resources = load_template()["Resources"]
    handler_of_queue: dict[str, str] = {}
    for resource in resources.values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in (resource["Properties"].get("Events") or {}).values():
            if event["Type"] == "SQS":
                handler_of_queue[_logical(event["Properties"]["Queue"])] = resource["Properties"]["Handler"]
    found = []
    for resource in resources.values():
        if resource["Type"] != "AWS::Events::Rule" or "EventPattern" not in resource["Properties"]:
            continue
        for target in resource["Properties"].get("Targets", []):
            queue = _logical(target["Arn"])
            if queue in handler_of_queue:
                found.append((resource["Properties"]["EventPattern"], handler_of_queue[queue]))
    return found


def _handler(path: str) -> Handler:
    module, _, name = path.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module), name)
    return handler


class Pump:
    """Drains the outbox and the delivery queue through the workers, recording who spent what."""

    def __init__(self, recorder: Recorder) -> None:
        from infra.local.patterns import matches

        self.recorder, self.matches = recorder, matches
        self.rules = subscriptions()
        self.seen: set[str] = set()

    def _run(self, spent: dict[str, Spent], name: str, handler: Handler, event: dict[str, Any]) -> None:
        self.recorder.take()
        answer = handler(event, bench_context())
        spent.setdefault(name, Spent()).add(self.recorder.take())
        if isinstance(answer, dict) and answer.get("batchItemFailures"):
            raise RuntimeError(f"{name} failed a record: {answer}")

    def _new_records(self) -> list[dict[str, Any]]:
        fresh = [record for record in outbox_records() if record["eventID"] not in self.seen]
        self.seen.update(record["eventID"] for record in fresh)
        return fresh

    def drain(self, spent: dict[str, Spent]) -> None:
        from aduan.dal import codec
        from aduan.logic.domain_events import bus_entry
        from infra.bench import notifications as wiring

        for _ in range(20):
            records = self._new_records()
            messages = wiring.queued_messages()
            if not records and not messages:
                return
            if records:
                self._run(spent, "event_relay", _handler("aduan.handlers.event_relay.handler"), {"Records": records})
            for record in records:
                entry = bus_entry(codec.from_item(record["dynamodb"]["NewImage"]), BUS)
                event = {"version": "0", "id": f"bench-{record['eventID']}", "detail-type": entry["DetailType"],
                         "source": entry["Source"], "account": "123456789012", "time": entry["Time"],
                         "region": "ap-southeast-3", "resources": [], "detail": json.loads(entry["Detail"])}
                for pattern, path in self.rules:
                    if self.matches(pattern, event):
                        name = path.split(".")[-2]
                        self._run(spent, name, _handler(path), wiring.sqs_event([json.dumps(event)]))
            for body in messages:
                self._run(spent, "sender", _handler("aduan.handlers.sender.handler"), wiring.sqs_event([body]))
        raise RuntimeError("the outbox did not settle after 20 rounds")


def _api(recorder: Recorder, spent: dict[str, Spent], method: str, path: str, body: Any, who: str) -> Any:
    from aduan.handlers.api import handler

    recorder.take()
    answer = handler(rest_event(method, path, body, who), bench_context())
    spent.setdefault("api", Spent()).add(recorder.take())
    if answer["statusCode"] >= 300:
        raise RuntimeError(f"{method} {path}: HTTP {answer['statusCode']} {answer.get('body')}")
    return json.loads(answer["body"])


def _live(recorder: Recorder, pump: Pump, channel: str) -> Life:
    life = Life(channel)
    who = "whatsapp" if channel == "whatsapp" else "citizen"
    spent: dict[str, Spent] = {}
    filed = _api(recorder, spent, "POST", "/v1/complaints", COMPLAINT, who)
    pump.drain(spent)
    life.by_step["file"] = spent
    code = filed["tracking_code"]
    for actor, action, fields in STEPS:
        spent = {}
        actor = who if actor == "citizen" else actor
        if action == "rate":
            _api(recorder, spent, "POST", f"/v1/complaints/{code}/rating", fields, actor)
        else:
            version = _api(recorder, {}, "GET", f"/v1/complaints/{code}", None, actor)["version"]
            _api(recorder, spent, "POST", f"/v1/complaints/{code}/transitions",
                 {"action": action, "expected_version": version, **fields}, actor)
        pump.drain(spent)
        life.by_step[action] = spent
    return life


def measure() -> list[Life]:
    """A web and a WhatsApp complaint's lives, each through every worker."""
    from infra.bench import notifications as wiring

    recorder = Recorder()
    with recorder.installed(), aws(), open(os.devnull, "w") as sink, warnings.catch_warnings(), \
            redirect_stdout(sink), wiring.wired():
        warnings.simplefilter("ignore")
        wiring.whatsapp_answers_in_process()
        enable_stream()
        pump = Pump(recorder)
        pump.drain({})
        return [_live(recorder, pump, channel) for channel in ("web", "whatsapp")]


def document(lives: list[Life]) -> dict[str, Any]:
    def figures(spent: Spent) -> dict[str, Any]:
        return {"wcu": spent.wcu, "rcu": spent.rcu, "calls": spent.calls, "dynamodb_calls": spent.dynamodb_calls}

    return {life.channel: {
        "total": figures(life.total()),
        "by_function": {name: figures(spent) for name, spent in sorted(life.by_function().items())},
        "by_step": {step: {name: figures(spent) for name, spent in functions.items()}
                    for step, functions in life.by_step.items()},
    } for life in lives}


def render(found: dict[str, Any]) -> Iterator[str]:
    for channel, life in found.items():
        total = life["total"]
        yield f"{channel}: {total['wcu']:.0f} WCU, {total['rcu']:.1f} RCU, {total['calls']} AWS calls"
        for name, spent in life["by_function"].items():
            yield f"  {name:<12} {spent['wcu']:>6.0f} WCU {spent['rcu']:>6.1f} RCU {spent['calls']:>4} calls"
        for step, functions in life["by_step"].items():
            row = ", ".join(f"{name} {spent['wcu']:.0f}" for name, spent in functions.items())
            yield f"  step {step:<8} {row}"


if __name__ == "__main__":
    print("\n".join(render(document(measure()))))
