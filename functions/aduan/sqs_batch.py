"""SQS partial batch responses without Powertools' BatchProcessor (and the asyncio it imports): each
record is handled on its own; the ones that raised are reported in `batchItemFailures`, so SQS
retries only those (the event source mapping has ReportBatchItemFailures)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

# Powertools' Logger(service="aduan") is this stdlib logger, so records come out structured; importing
# it by name keeps this module free of the Metrics object (built from the environment at import).
logger = logging.getLogger("aduan")


def partial_batch(event: dict[str, Any], handle: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    failures = []
    for record in event.get("Records", []):
        try:
            handle(record)
        except Exception:
            logger.exception("record failed; SQS will retry it", extra={"message_id": record.get("messageId")})
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
