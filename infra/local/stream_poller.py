"""DynamoDB stream event source mapping: every shard read in order, delivered in Lambda's shape.

Per shard, records fetched but not yet handled wait in `pending`. A batch is the head of pending.
When the function reports failures, the records before the lowest failed sequence number are
done and the batch is retried from that record on, after a backoff; an exception (or an invalid
partial response) retries the whole batch. After MaximumRetryAttempts retries the batch is
described to the OnFailure destination and skipped, as Lambda does. Records that do not pass
the FilterCriteria are dropped before delivery (moto does not filter). After each batch the poller tells
the stream retention (retention.py) how far it has got, so that handled records do not pile up in moto.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from infra.local.batch_response import WholeBatchFailed, failed_items
from infra.local.patterns import matches_any
from infra.local.poller import Poller, PollerSettings
from infra.local.retention import StreamRetention
from infra.local.runtime import FunctionError, LambdaRuntime
from infra.local.stream_records import drop_duplicate_inserts, to_lambda_record
from infra.local.wiring import MappingSpec

LOG = logging.getLogger(__name__)
_DESCRIBE_EVERY = 5.0  # seconds between looks for new shards
_MAX_RECORDS_PER_CALL = 1000  # GetRecords limit


@dataclass
class _Shard:
    shard_id: str
    iterator: str | None
    pending: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0  # failed invocations of the current batch
    not_before: float = 0.0  # monotonic time before which the shard waits (retry backoff)
    read_to: int | None = None  # sequence number after the last record read
    checkpointed: int | None = None  # what the retention was last told
    gathering_since: float | None = None  # monotonic time the oldest pending record was read


class StreamPoller(Poller):
    def __init__(
        self,
        spec: MappingSpec,
        runtime: LambdaRuntime,
        clients: Callable[[str], Any],
        region: str,
        settings: PollerSettings,
        on_failure: Callable[[dict[str, Any]], None],
        retention: StreamRetention | None = None,
    ) -> None:
        super().__init__(spec.logical_id)
        self.spec = spec
        self._runtime = runtime
        self._region = region
        self._settings = settings
        self._on_failure = on_failure
        self._streams = clients("dynamodbstreams")
        self._shards: dict[str, _Shard] = {}
        self._next_describe = 0.0
        self._first_describe = True
        self._retention = retention
        if retention is not None:
            retention.register(spec.source_arn, spec.logical_id)

    def poll_once(self) -> None:
        if time.monotonic() >= self._next_describe:
            self._discover_shards()
        worked = False
        for shard in list(self._shards.values()):
            if shard.not_before <= time.monotonic():
                worked = self._process(shard) or worked
                self._checkpoint(shard)
        if not worked:
            self.stop_event.wait(self._settings.stream_idle_wait)

    def _discover_shards(self) -> None:
        shards: list[dict[str, Any]] = []
        request: dict[str, Any] = {"StreamArn": self.spec.source_arn}
        while True:
            description = self._streams.describe_stream(**request)["StreamDescription"]
            shards += description.get("Shards", [])
            if not description.get("LastEvaluatedShardId"):
                break
            request["ExclusiveStartShardId"] = description["LastEvaluatedShardId"]
        for shard in shards:
            if shard["ShardId"] not in self._shards:
                # The configured starting position applies when the mapping starts; shards that
                # appear later are read from their beginning, like Lambda follows child shards.
                position = self.spec.starting_position if self._first_describe else "TRIM_HORIZON"
                iterator = self._streams.get_shard_iterator(
                    StreamArn=self.spec.source_arn, ShardId=shard["ShardId"], ShardIteratorType=position
                )["ShardIterator"]
                self._shards[shard["ShardId"]] = _Shard(shard["ShardId"], iterator)
        self._first_describe = False
        self._next_describe = time.monotonic() + _DESCRIBE_EVERY

    def _fetch(self, shard: _Shard, limit: int) -> list[dict[str, Any]]:
        if shard.iterator is None:
            return []
        response = self._streams.get_records(ShardIterator=shard.iterator, Limit=limit)
        shard.iterator = response.get("NextShardIterator")  # None once a closed shard is drained
        records: list[dict[str, Any]] = response.get("Records", [])
        return records

    def _read(self, shard: _Shard) -> None:
        limit = min(max(self.spec.batch_size, 1), _MAX_RECORDS_PER_CALL)
        raw = self._fetch(shard, limit)
        if len(raw) == limit and raw[-1]["eventName"] == "INSERT":
            # moto writes a creating UpdateItem as two INSERTs; do not split the pair across reads.
            raw += self._fetch(shard, 1)
        if raw:
            shard.read_to = int(raw[-1]["dynamodb"]["SequenceNumber"]) + 1
        records = drop_duplicate_inserts(
            [to_lambda_record(record, self.spec.source_arn, self._region) for record in raw]
        )
        shard.pending += [record for record in records if matches_any(self.spec.filters, record)]

    def _process(self, shard: _Shard) -> bool:
        """Deliver one batch from the shard; False when there was nothing to do (yet)."""
        had = len(shard.pending)
        if shard.attempts == 0 and had < self.spec.batch_size:
            self._read(shard)  # a retried batch is retried as it was, not topped up
        if not shard.pending:
            shard.gathering_since = None
            return False
        arriving = len(shard.pending) > had
        if shard.gathering_since is None:
            shard.gathering_since = time.monotonic()
        window = self._settings.batching_window(self.spec.batching_window)
        if (shard.attempts == 0 and arriving and len(shard.pending) < self.spec.batch_size
                and time.monotonic() < shard.gathering_since + window):
            return False  # records are still arriving: gather until full, quiet for a round, or the window ends
        batch = shard.pending[: self.spec.batch_size]
        first_failed = self._deliver(batch)
        if first_failed is None:
            del shard.pending[: len(batch)]
            shard.attempts = 0
            return True
        del shard.pending[:first_failed]
        shard.attempts += 1
        retries = self.spec.maximum_retry_attempts
        if retries != -1 and shard.attempts > retries:
            self._give_up(shard, batch[first_failed:])
            return True
        backoff = self._settings.stream_backoff * 2 ** (shard.attempts - 1)
        shard.not_before = time.monotonic() + min(backoff, self._settings.stream_backoff_max)
        return True

    def _checkpoint(self, shard: _Shard) -> None:
        if self._retention is None:
            return
        position = int(shard.pending[0]["dynamodb"]["SequenceNumber"]) if shard.pending else shard.read_to
        if position is not None and position != shard.checkpointed:
            shard.checkpointed = position
            self._retention.checkpoint(self.spec.source_arn, self.spec.logical_id, position)

    def _deliver(self, batch: list[dict[str, Any]]) -> int | None:
        """Index of the first record to retry, or None when the whole batch succeeded."""
        sequences = [record["dynamodb"]["SequenceNumber"] for record in batch]
        try:
            response = self._runtime.invoke(self.spec.function, {"Records": batch})
            if not self.spec.report_batch_item_failures:
                return None
            failed = failed_items(response, sequences)
        except FunctionError:
            return 0
        except WholeBatchFailed as invalid:
            LOG.error(
                "%s: invalid partial batch response, retrying the batch: %s", self.spec.function, invalid
            )
            return 0
        # Lambda checkpoints at the lowest failed sequence number.
        return min(sequences.index(sequence) for sequence in failed) if failed else None

    def _give_up(self, shard: _Shard, failed: list[dict[str, Any]]) -> None:
        LOG.error(
            "%s: %d stream records skipped after %d attempts", self.spec.function, len(failed), shard.attempts
        )
        self._on_failure(self._failure_record(shard, failed))
        skipped = {record["eventID"] for record in failed}
        shard.pending = [record for record in shard.pending if record["eventID"] not in skipped]
        shard.attempts = 0

    def _failure_record(self, shard: _Shard, failed: list[dict[str, Any]]) -> dict[str, Any]:
        """The invocation record Lambda sends to an OnFailure destination for a stream batch."""
        function = self._runtime.functions[self.spec.function]

        def arrival(record: dict[str, Any]) -> str:
            created = record["dynamodb"].get("ApproximateCreationDateTime", 0)
            return datetime.fromtimestamp(float(created), UTC).isoformat(timespec="milliseconds")

        return {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": function.arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": shard.attempts,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "DDBStreamBatchInfo": {
                "shardId": shard.shard_id,
                "startSequenceNumber": failed[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": failed[-1]["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": arrival(failed[0]),
                "approximateArrivalOfLastRecord": arrival(failed[-1]),
                "batchSize": len(failed),
                "streamArn": self.spec.source_arn,
            },
        }
