"""Lambda's partial batch response rules (ReportBatchItemFailures) for SQS and stream sources.

A batch fully succeeds when the function returns nothing, an empty object or an empty/null
`batchItemFailures`. It fully fails when the response is malformed or an identifier is empty,
null or not in the batch. Otherwise the listed items failed.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any


class WholeBatchFailed(Exception):
    """The response makes Lambda treat every record in the batch as failed."""


def failed_items(response: Any, identifiers: Collection[str]) -> list[str]:
    """Identifiers of the failed records, in the order given; raises WholeBatchFailed."""
    if response is None or response == {} or response == "":
        return []
    if not isinstance(response, dict):
        raise WholeBatchFailed(f"response is not an object: {response!r}")
    failures = response.get("batchItemFailures")
    if failures is None or failures == []:
        return []
    if not isinstance(failures, list):
        raise WholeBatchFailed("batchItemFailures is not a list")
    failed: list[str] = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or not identifier or identifier not in identifiers:
            raise WholeBatchFailed(f"invalid itemIdentifier in {failure!r}")
        failed.append(identifier)
    return failed
