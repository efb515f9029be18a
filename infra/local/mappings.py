"""Creator for AWS::Lambda::EventSourceMapping: records what pollers.py must run.

Nothing is created in moto (its Lambda would try to run the code in Docker); the mapping becomes a
MappingSpec with its source resolved to a queue URL or stream ARN and its filters parsed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.local.errors import LocalStackError
from infra.local.functions import function_for
from infra.local.patterns import parse_pattern
from infra.local.provision import ProvisionContext
from infra.local.registry import PhysicalResource
from infra.local.wiring import MappingSpec

_DEFAULT_BATCH = {"sqs": 10, "dynamodb": 100}


def create_mapping(ctx: ProvisionContext, logical_id: str, resource: Mapping[str, Any]) -> None:
    props: dict[str, Any] = ctx.resolver.resolve(resource.get("Properties") or {})
    source = str(props.get("EventSourceArn", ""))
    service = source.split(":")[2] if source.count(":") >= 5 else ""
    if service not in ("sqs", "dynamodb"):
        ctx.skip("AWS::Lambda::EventSourceMapping", logical_id, f"{service or 'this'} source")
        ctx.registry.add(PhysicalResource(logical_id, resource["Type"], logical_id, emulated=False))
        return
    function = function_for(ctx.registry, str(props["FunctionName"]))
    if function is None:
        raise LocalStackError(f"{logical_id}: FunctionName {props['FunctionName']} is not in the template")
    queue_url = None
    if service == "sqs":
        queue = ctx.registry.find(source)
        if queue is None:
            raise LocalStackError(f"{logical_id}: queue {source} is not in the template")
        queue_url = queue.ref
    filters = tuple(
        parse_pattern(item["Pattern"]) for item in (props.get("FilterCriteria") or {}).get("Filters", [])
    )
    on_failure = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    ctx.mappings.append(
        MappingSpec(
            logical_id=logical_id,
            function=function,
            source_arn=source,
            kind=service,
            batch_size=int(props.get("BatchSize", _DEFAULT_BATCH[service])),
            queue_url=queue_url,
            starting_position=str(props.get("StartingPosition", "TRIM_HORIZON")),
            filters=filters,
            report_batch_item_failures="ReportBatchItemFailures"
            in (props.get("FunctionResponseTypes") or []),
            maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
            on_failure_arn=on_failure,
            enabled=bool(props.get("Enabled", True)),
            batching_window=float(props.get("MaximumBatchingWindowInSeconds", 0)),
        )
    )
    ctx.registry.add(PhysicalResource(logical_id, resource["Type"], logical_id))
