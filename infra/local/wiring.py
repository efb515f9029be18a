"""Plain descriptions of the in-process wiring the provisioner hands to the runners.

AWS invokes functions for event source mappings, schedules and EventBridge rules; moto does not,
so local mode records each trigger here and runs it itself (pollers.py, schedules.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MappingSpec:
    """An AWS::Lambda::EventSourceMapping from an SQS queue or a DynamoDB stream."""

    logical_id: str
    function: str  # function logical id
    source_arn: str
    kind: str  # "sqs" or "dynamodb"
    batch_size: int
    queue_url: str | None = None
    starting_position: str = "TRIM_HORIZON"
    filters: tuple[dict[str, Any], ...] = ()
    report_batch_item_failures: bool = False
    maximum_retry_attempts: int = -1  # -1: retry until the record expires, as AWS does
    on_failure_arn: str | None = None
    enabled: bool = True
    batching_window: float = 0.0  # MaximumBatchingWindowInSeconds


@dataclass(frozen=True)
class ScheduleTarget:
    function: str | None = None  # function logical id
    queue_url: str | None = None
    input: Any = None  # the target's constant Input, parsed; None sends the Scheduled Event


@dataclass(frozen=True)
class ScheduleSpec:
    """An Events rule with a ScheduleExpression, or an AWS::Scheduler::Schedule."""

    logical_id: str
    name: str
    arn: str
    expression: str
    targets: tuple[ScheduleTarget, ...] = field(default_factory=tuple)
    enabled: bool = True
    source: str = "aws.events"  # EventBridge Scheduler's default payload says aws.scheduler


@dataclass(frozen=True)
class AsyncTarget:
    """An event-pattern rule's Lambda target: moto puts matching events on queue_url for us."""

    rule: str  # rule logical id
    function: str  # function logical id
    queue_url: str
