"""Entry point of EventRelayFunction: outbox records from the table stream -> the event bus.

Each stream record is one timeline entry (the stream filter passes `EV#` inserts) or a new ticket's head
carrying its `TicketCreated` entry inline (head inserts). Records are
published in stream order, up to ten per PutEvents call. At the first record that could not be
published the relay stops and reports it as the batch's failure: the stream source then retries from
that record on, so nothing after it is lost or reordered (what was already published may be published
again; consumers deduplicate on the event id). A plain loop rather than Powertools' BatchProcessor:
the relay needs "stop at the first failure" and batched publishing, and it keeps cold starts short.
No X-Ray SDK here either: Lambda's active tracing (template Globals) records each invocation, and the
relay's only AWS call is PutEvents.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan import settings
from aduan.dal import codec, event_bus
from aduan.logic.domain_events import bus_entries
from aduan.observability import logger, metrics


def _pending(records: list[dict[str, Any]], bus_name: str) -> list[tuple[str, dict[str, Any]]]:
    """(sequence number, bus entry) for each record that is an outbox event, in stream order."""
    pending: list[tuple[str, dict[str, Any]]] = []
    for record in records:
        change = record.get("dynamodb", {})
        image = change.get("NewImage")
        if not image:
            continue
        pending.extend((change["SequenceNumber"], entry) for entry in bus_entries(codec.from_item(image), bus_name))
    return pending


def relay(records: list[dict[str, Any]]) -> str | None:
    """Publish in order; the sequence number of the first record not published, or None."""
    pending = _pending(records, settings.event_bus_name())
    for start in range(0, len(pending), event_bus.MAX_ENTRIES):
        chunk = pending[start:start + event_bus.MAX_ENTRIES]
        try:
            refused = event_bus.publish_batch([entry for _, entry in chunk])
        except Exception:
            logger.exception("publishing to the event bus failed", extra={"records": len(chunk)})
            refused = [0]
        published = refused[0] if refused else len(chunk)
        metrics.add_metric(name="DomainEventsPublished", unit=MetricUnit.Count, value=published)
        if refused:
            deferred = len(pending) - start - published
            metrics.add_metric(name="DomainEventsDeferred", unit=MetricUnit.Count, value=deferred)
            return chunk[refused[0]][0]
    return None


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    first_failed = relay(event.get("Records", []))
    return {"batchItemFailures": [{"itemIdentifier": first_failed}] if first_failed else []}
