"""Entry point of StatsFunction: bus events (ticket domain events, SLA clock events) from its SQS
queue -> the statistics counters, each event counted once (see services/stats.py): a batch is folded (each
fact and each ticket's backlog written once), and counted message by message when a ticket keeps changing.

The queue message body is the EventBridge event as the rule delivers it, read with `read_event` (lenient:
moto's EventBridge -> SQS delivery lacks `account`, which Powertools' EventBridgeModel requires)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

# What every invocation uses is imported at init (not on the first message); wiring builds it.
import aduan.services.stats  # noqa: F401
from aduan.dal.clients import transient
from aduan.dal.stats import StaleState
from aduan.models.events import read_event
from aduan.observability import logger, metrics, tracer
from aduan.wiring import stats_counter

processor = BatchProcessor(event_type=EventType.SQS)


def _tally(recorded: bool) -> None:
    metrics.add_metric(name="StatsEventsCounted" if recorded else "StatsEventsSkipped", unit=MetricUnit.Count,
                       value=1)


def count(record: SQSRecord) -> None:
    event = read_event(record.body)
    _tally(event is not None and stats_counter().record(event))


def _redelivered(record: dict[str, Any]) -> bool:
    return int((record.get("attributes") or {}).get("ApproximateReceiveCount") or 1) > 1


def _count_folded(records: list[dict[str, Any]]) -> bool:
    """The whole batch folded (each fact and each ticket's backlog written once); False when a message does
    not read, a ticket's state kept changing or AWS was busy: the batch is then counted one message at a time,
    which is safe after any part of it was written (every write is exactly-once on its own) and retries only
    the messages that fail. A batch delivered again (a part of it was counted) goes one message at a time
    straight away: its folded writes would mostly be refused, and one busy call would fail it whole again."""
    if any(_redelivered(record) for record in records):
        return False
    try:
        events = [read_event(record["body"]) for record in records]
        counted = stats_counter().record_batch(events)
    except (ValueError, StaleState):  # the one-by-one path reports just the failing messages
        return False
    except Exception as error:
        if not transient(error):
            raise
        return False
    for recorded in counted:
        _tally(recorded)
    return True


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if _count_folded(event.get("Records") or []):
        return {"batchItemFailures": []}
    return dict(process_partial_response(event=event, record_handler=count, processor=processor, context=context))
