"""What moto would otherwise keep forever in a long-running local stack, and the rules that bound it.

- Stream records: moto keeps every record of a table's stream for the life of the process (DynamoDB keeps
  them 24 hours). Local mode knows every reader of a stream (its own stream pollers), so a record all of
  them have handled is dropped; the shard's starting sequence number moves up so that sequence numbers,
  TRIM_HORIZON and LATEST keep their meaning. Records not yet handled stay, and are persisted (state.py).
- Shard iterators: moto stores one per GetRecords call (five a second per idle poller) and never drops
  them; AWS expires them after 15 minutes. The newest few hundred are kept.
- SQS: every deleted message leaves its receipt handles in a set (so that a second delete is accepted);
  past a bound the set is emptied: a late second delete then fails as it would after AWS's expiry.
- Every moto model object ever created (each item version, each query result copy, stream record, message)
  is appended to its class's `instances_tracked`, for moto's dashboard only: the lists are emptied (S3's
  are left alone: moto disposes of objects' temporary files through them).
"""

from __future__ import annotations

import threading
from typing import Any

KEPT_SHARD_ITERATORS = 500
KEPT_DELETED_RECEIPTS = 5_000


def _arn_parts(stream_arn: str) -> tuple[str, str, str]:
    """(account, region, table name) of arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL."""
    parts = stream_arn.split(":", 5)
    return parts[4], parts[3], parts[5].split("/")[1]


def stream_shard(stream_arn: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    account, region, table = _arn_parts(stream_arn)
    found = dynamodb_backends[account][region].tables.get(table)
    return found.stream_shard if found is not None else None


def drop_stream_records_before(shard: Any, sequence_number: int) -> int:
    """Drop the records numbered below sequence_number; how many were dropped."""
    count = min(max(0, sequence_number - shard.starting_sequence_number), len(shard.items))
    if count:
        del shard.items[:count]
        shard.starting_sequence_number += count
    return count


class StreamRetention:
    """Where each local reader of each stream has got to; records behind all of them are dropped."""

    def __init__(self, lock: Any) -> None:
        self._lock = lock  # moto_server.DYNAMODB_LOCK: moto's stream objects are not thread-safe
        self._positions: dict[str, dict[str, int | None]] = {}
        self._guard = threading.Lock()

    def register(self, stream_arn: str, reader: str) -> None:
        """A reader that has not checkpointed yet holds every record back."""
        with self._guard:
            self._positions.setdefault(stream_arn, {})[reader] = None

    def checkpoint(self, stream_arn: str, reader: str, next_sequence_number: int) -> None:
        """The reader is done with every record numbered below next_sequence_number."""
        with self._guard:
            readers = self._positions.setdefault(stream_arn, {})
            readers[reader] = next_sequence_number
            positions = list(readers.values())
        if any(position is None for position in positions):
            return
        low = min(position for position in positions if position is not None)
        with self._lock:
            shard = stream_shard(stream_arn)
            if shard is not None:
                drop_stream_records_before(shard, low)


def bound_bookkeeping(lock: Any) -> None:
    """Drop moto's stale shard iterators and old deleted-message receipts (every region and account)."""
    from moto.dynamodbstreams.models import dynamodbstreams_backends
    from moto.sqs.models import sqs_backends

    with lock:
        for backend in _every(dynamodbstreams_backends):
            iterators = backend.shard_iterators
            for stale in list(iterators)[: max(0, len(iterators) - KEPT_SHARD_ITERATORS)]:
                iterators.pop(stale, None)
    forget_tracked_instances()
    for backend in _every(sqs_backends):
        for queue in list(backend.queues.values()):
            if len(queue.deleted_messages) > KEPT_DELETED_RECEIPTS:
                queue.deleted_messages = set()


def forget_tracked_instances() -> None:
    from moto.core.model_instances import model_data

    for service, models in list(model_data.items()):
        if service == "s3":
            continue
        for model in list(models.values()):
            tracked = getattr(model, "instances_tracked", None)
            if isinstance(tracked, list):
                tracked.clear()


def _every(backends: Any) -> list[Any]:
    found = []
    for account in list(backends.keys()):
        regions = backends[account]
        found += [regions[region] for region in list(regions.keys())]
    return found
