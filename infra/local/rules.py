"""Creators for EventBridge rules and EventBridge Scheduler schedules.

Event-pattern rules go to moto, which matches events and delivers to SQS targets. moto's default
target payload lacks `account` (and other fields), so every SQS target without its own Input or
InputTransformer gets FULL_EVENT, a transformer that rebuilds the complete event. A Lambda
target cannot be delivered by moto (put_events would fail), so it becomes a local queue that
pollers.py drains into the function, like Lambda's asynchronous invocation.
Scheduled rules and schedules are not created in moto at all: schedules.py fires them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from infra.local.functions import function_for
from infra.local.provision import ProvisionContext
from infra.local.registry import PhysicalResource
from infra.local.wiring import AsyncTarget, ScheduleSpec, ScheduleTarget

_FULL_EVENT_FIELDS = ("id", "detail-type", "source", "account", "time", "region", "resources")
# `detail` is substituted last: its content must not be scanned for the other placeholders.
FULL_EVENT: dict[str, Any] = {
    "InputPathsMap": {**{name: f"$.{name}" for name in _FULL_EVENT_FIELDS}, "detail": "$.detail"},
    "InputTemplate": (
        '{"version": "0", "id": "<id>", "detail-type": "<detail-type>", "source": "<source>", '
        '"account": "<account>", "time": <time>, "region": "<region>", "resources": <resources>, '
        '"detail": <detail>}'
    ),
}


def _service(arn: str) -> str:
    return arn.split(":")[2] if arn.startswith("arn:") and arn.count(":") >= 5 else ""


def _bus_name(value: str | None) -> str:
    if not value:
        return "default"
    return value.split("event-bus/", 1)[1] if value.startswith("arn:") else value


def create_rule(ctx: ProvisionContext, logical_id: str, resource: Mapping[str, Any]) -> None:
    props: dict[str, Any] = ctx.resolver.resolve(resource.get("Properties") or {})
    name = props.get("Name") or ctx.physical_name(logical_id, 64)
    bus = _bus_name(props.get("EventBusName"))
    arn = ctx.arn("events", f"rule/{name}" if bus == "default" else f"rule/{bus}/{name}")
    enabled = props.get("State", "ENABLED") == "ENABLED"
    targets = props.get("Targets") or []
    if props.get("ScheduleExpression"):
        schedule_targets = [_schedule_target(ctx, logical_id, target) for target in targets]
        ctx.schedules.append(
            ScheduleSpec(
                logical_id,
                name,
                arn,
                props["ScheduleExpression"],
                tuple(t for t in schedule_targets if t is not None),
                enabled,
            )
        )
    else:
        _put_pattern_rule(ctx, logical_id, name, bus, props, targets)
    ctx.registry.add(PhysicalResource(logical_id, resource["Type"], name, {"Arn": arn}))


def _put_pattern_rule(
    ctx: ProvisionContext, logical_id: str, name: str, bus: str, props: Mapping[str, Any], targets: list[Any]
) -> None:
    moto_targets = []
    for target in targets:
        service = _service(target["Arn"])
        if service == "lambda":
            function = function_for(ctx.registry, target["Arn"])
            if function is None:
                ctx.skip("AWS::Events::Rule target", f"{logical_id}.{target['Id']}", "unknown function")
                continue
            queue_url, queue_arn = _async_queue(ctx, f"{name}-{target['Id']}")
            ctx.async_targets.append(AsyncTarget(logical_id, function, queue_url))
            moto_targets.append(_with_payload({"Id": target["Id"], "Arn": queue_arn}, target))
        elif service in ("sqs", "events"):
            moto_targets.append(_with_payload(dict(target), target))
        else:
            ctx.skip("AWS::Events::Rule target", f"{logical_id}.{target['Id']}", f"{service} targets")
    pattern = props["EventPattern"]
    events = ctx.clients("events")
    events.put_rule(
        Name=name,
        EventBusName=bus,
        EventPattern=pattern if isinstance(pattern, str) else json.dumps(pattern),
        State=props.get("State", "ENABLED"),
        Description=props.get("Description", ""),
    )
    if moto_targets:
        events.put_targets(Rule=name, EventBusName=bus, Targets=moto_targets)


def _with_payload(moto_target: dict[str, Any], target: Mapping[str, Any]) -> dict[str, Any]:
    keep = {key: target[key] for key in ("SqsParameters", "InputTransformer") if key in target}
    moto_target.update(keep)
    moto_target.pop("Input", None)
    if "Input" in target:
        # moto ignores Input; a transformer without placeholders delivers the same constant.
        moto_target["InputTransformer"] = {"InputTemplate": target["Input"]}
    elif "InputTransformer" not in target:
        moto_target["InputTransformer"] = FULL_EVENT
    return moto_target


def _async_queue(ctx: ProvisionContext, label: str) -> tuple[str, str]:
    name = re.sub(r"[^A-Za-z0-9_-]", "-", f"{ctx.stack_name}-async-{label}")[:80]
    sqs = ctx.clients("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return str(url), str(arn)


def _schedule_target(ctx: ProvisionContext, owner: str, target: Mapping[str, Any]) -> ScheduleTarget | None:
    payload = json.loads(target["Input"]) if isinstance(target.get("Input"), str) else target.get("Input")
    service = _service(target["Arn"])
    if service == "lambda" and (function := function_for(ctx.registry, target["Arn"])) is not None:
        return ScheduleTarget(function=function, input=payload)
    if service == "sqs" and (queue := ctx.registry.find(target["Arn"])) is not None:
        return ScheduleTarget(queue_url=queue.ref, input=payload)
    ctx.skip("schedule target", f"{owner} -> {target['Arn']}", "only local functions and queues")
    return None


def create_schedule(ctx: ProvisionContext, logical_id: str, resource: Mapping[str, Any]) -> None:
    """AWS::Scheduler::Schedule (what SAM's ScheduleV2 event becomes)."""
    props: dict[str, Any] = ctx.resolver.resolve(resource.get("Properties") or {})
    name = props.get("Name") or ctx.physical_name(logical_id, 64)
    arn = ctx.arn("scheduler", f"schedule/{props.get('GroupName', 'default')}/{name}")
    target = _schedule_target(ctx, logical_id, props["Target"])
    ctx.schedules.append(
        ScheduleSpec(
            logical_id,
            name,
            arn,
            props["ScheduleExpression"],
            (target,) if target else (),
            props.get("State", "ENABLED") == "ENABLED",
            source="aws.scheduler",
        )
    )
    ctx.registry.add(PhysicalResource(logical_id, resource["Type"], name, {"Arn": arn}))
