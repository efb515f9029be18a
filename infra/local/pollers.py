"""Event source mappings run locally: one daemon thread per mapping, polling moto like Lambda does.

build_pollers turns the provisioner's MappingSpecs (SQS queues, DynamoDB streams) and AsyncTargets
(EventBridge rules with Lambda targets) into pollers; sqs_poller.py and stream_poller.py hold the
delivery semantics of each source.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from infra.local.poller import Poller, PollerSettings
from infra.local.registry import Registry
from infra.local.retention import StreamRetention
from infra.local.runtime import LambdaRuntime
from infra.local.sqs_poller import AsyncInvokePoller, SqsPoller
from infra.local.stream_poller import StreamPoller
from infra.local.wiring import AsyncTarget, MappingSpec

LOG = logging.getLogger(__name__)
ClientFactory = Callable[[str], Any]


def failure_sender(
    arn: str | None, registry: Registry, clients: ClientFactory
) -> Callable[[dict[str, Any]], None]:
    """Delivery to a mapping's OnFailure destination (an SQS queue or SNS topic of the template)."""
    if not arn:
        return lambda record: LOG.error("discarded records, no OnFailure destination: %s", json.dumps(record))
    service = arn.split(":")[2]
    if service == "sqs":
        queue = registry.find(arn)
        if queue is None:
            raise ValueError(f"OnFailure queue {arn} is not in the template")
        sqs = clients("sqs")
        return lambda record: sqs.send_message(QueueUrl=queue.ref, MessageBody=json.dumps(record))
    if service == "sns":
        sns = clients("sns")
        return lambda record: sns.publish(TopicArn=arn, Message=json.dumps(record))
    raise ValueError(f"OnFailure destination {arn} is not supported locally (use SQS or SNS)")


def build_pollers(
    mappings: Sequence[MappingSpec],
    async_targets: Sequence[AsyncTarget],
    runtime: LambdaRuntime,
    registry: Registry,
    clients: ClientFactory,
    region: str,
    settings: PollerSettings,
    retention: StreamRetention | None = None,
) -> list[Poller]:
    pollers: list[Poller] = []
    for spec in mappings:
        if not spec.enabled:
            LOG.info("event source mapping %s is disabled", spec.logical_id)
        elif spec.kind == "sqs":
            pollers.append(SqsPoller(spec, runtime, clients, region, settings))
        else:
            on_failure = failure_sender(spec.on_failure_arn, registry, clients)
            pollers.append(StreamPoller(spec, runtime, clients, region, settings, on_failure, retention))
    pollers += [AsyncInvokePoller(target, runtime, clients, settings) for target in async_targets]
    return pollers


def stop_all(pollers: Sequence[Poller], timeout: float = 5.0) -> None:
    for poller in pollers:
        poller.request_stop()
    for poller in pollers:
        poller.join(timeout)
