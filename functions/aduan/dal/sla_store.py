"""SLA data in the tickets table.

  pk `T#<code>`, sk `#SLA`          the ticket's clocks (models/sla.TicketClocks). While anything can
                                    still fire it carries `sla_shard` + `sla_next_at`, the keys of the
                                    sparse GSI `sla_due`: the sweeper reads only what is due.
                                    While a stage is overdue it also carries `overdue_pk`
                                    (`OVERDUE#<agency>`), the key of the sparse GSI `sla_overdue`.
  pk `SLA#OVERDUE`, sk `<agency>`   how many tickets are overdue at the agency (or `desk`) now (`n`),
                                    moved in the same transaction as a clocks item whose `overdue_pk`
                                    changes: the hourly gauges are one Query, not a count per agency.
                                    While a stage runs it carries `queue_pk` (the ticket's queue when
                                    last written) and `due_sk` (its earliest due time): the keys of
                                    `queue_by_due`, so the ticket head is never rewritten for them.
  pk `SLAPOLICY`, sk `<id>#<version>` every policy version ever seeded (immutable); sk `ACTIVE` names
                                    the policy new clocks start under: its newest version already in
                                    effect (`effective_from`).

Every write of the clocks item is conditional on its `rev`: two sweeps (or a sweep and the tracker)
cannot both fire. The sweeper writes it in one transaction with the ticket head and timeline entries
its firings imply. The tracker changes no head: it writes its `SlaClockStopped` entries first, each
once (their ids derive from the clock they stop, so a retry finds them), then the clocks alone; a
step that changes no clock is one blind update of the clocks' bookkeeping (`advance`).
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from aduan.dal import clients, codec
from aduan.dal.ticket_items import SLA_CLOCKS, change_writes, entry_item, ticket_pk
from aduan.dal.tickets import batch_get, transact
from aduan.logic import clock, sla
from aduan.models.events import TicketSnapshot
from aduan.models.sla import APPLIED_AT, APPLIED_VERSION, TicketClocks, compact
from aduan.models.sla_config import SlaConfigError, SlaPolicy, parse_policy
from aduan.models.ticket import Change, TimelineEntry

SHARDS = 4  # spreads the due index over a few partitions; a sweep queries each once
POLICY_PK = "SLAPOLICY"
ACTIVE = "ACTIVE"
DUE_INDEX = "sla_due"
OVERDUE_INDEX = "sla_overdue"
DESK = "desk"
OVERDUE_COUNTS = "SLA#OVERDUE"
_REMEMBERED = 10_000  # clocks whose stored overdue key is remembered (a container's recent reads)
_ACTIVE_TTL_SECONDS = 300.0

_policies: dict[str, SlaPolicy] = {}
_active: dict[str, tuple[float, tuple[str, ...]]] = {}


def clear_cache() -> None:
    _policies.clear()
    _active.clear()


class RevConflict(Exception):
    """Someone else wrote the clocks (or the ticket) since we read them: read again and retry."""


def shard_of(code: str) -> str:
    return f"SLA#{zlib.crc32(code.encode()) % SHARDS}"


def clocks_item(clocks: TicketClocks, queue: str | None = None) -> dict[str, Any]:
    """The `#SLA` item, kept under 1 KB through a whole life (every write costs a unit per started KB): the
    compact document (models/sla.py `compact`) and the index keys, which stay readable text."""
    document = compact(clocks)
    document.update(pk=ticket_pk(clocks.tracking_code), sk=SLA_CLOCKS, entity="sla_clocks")
    running = sla.open_clocks(clocks)
    if queue and running:
        document.update(queue_pk=queue, due_sk=running[0].due_at)
    next_at = sla.next_fire_at(clocks)
    if next_at is not None:
        document.update(sla_shard=shard_of(clocks.tracking_code), sla_next_at=next_at)
    if sla.overdue(clocks):
        document["overdue_pk"] = f"OVERDUE#{clocks.agency_id or DESK}"
        document["overdue_since"] = min(c.breached_at or "" for c in running if c.breached_at)
    return codec.to_item(document)


class SlaStore:
    def __init__(self, table_name: str, *, client: Any = None) -> None:
        self.table = table_name
        self._client = client
        # tracking code -> (rev, overdue_pk) as last read or written: what a commit moves the overdue count from
        self._overdue_read: dict[str, tuple[int, str | None]] = {}

    def _read(self, document: dict[str, Any]) -> TicketClocks:
        clocks = TicketClocks.model_validate(document)
        if len(self._overdue_read) >= _REMEMBERED:
            self._overdue_read.clear()
        self._overdue_read[clocks.tracking_code] = (clocks.rev, document.get("overdue_pk"))
        return clocks

    @property
    def _db(self) -> Any:
        return self._client or clients.client("dynamodb")

    # ------------------------------------------------------------------ policies
    def save_policy(self, policy: SlaPolicy, *, activate: bool = True) -> None:
        body = policy.model_dump_json()
        try:
            self._db.put_item(
                TableName=self.table,
                Item=codec.to_item({"pk": POLICY_PK, "sk": f"{policy.id}#{policy.version:05d}", "body": body}),
                ConditionExpression="attribute_not_exists(pk) OR body = :body",
                ExpressionAttributeValues={":body": {"S": body}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise SlaConfigError(f"{policy.key} is already stored with other content: "
                                     "a changed policy needs a new version") from None
            raise
        if activate:
            self._db.put_item(TableName=self.table,
                              Item=codec.to_item({"pk": POLICY_PK, "sk": ACTIVE, "key": policy.key}))
        _active.pop(self.table, None)

    def active_policy(self, today: date | None = None) -> SlaPolicy:
        """The newest version of the active policy whose `effective_from` has come (a version seeded
        ahead of a regulation's start date takes over on that date, without a deploy)."""
        cached = _active.get(self.table)
        if cached is None or time.monotonic() - cached[0] > _ACTIVE_TTL_SECONDS:
            found = self._db.get_item(TableName=self.table, Key=codec.to_item({"pk": POLICY_PK, "sk": ACTIVE}))
            if "Item" not in found:
                raise SlaConfigError(f"no active SLA policy in {self.table}: run python -m infra.seed")
            policy_id = codec.from_item(found["Item"])["key"].partition("@")[0]
            versions = self._db.query(
                TableName=self.table, KeyConditionExpression="pk = :pk AND begins_with(sk, :id)",
                ExpressionAttributeValues=codec.to_item({":pk": POLICY_PK, ":id": f"{policy_id}#"}))["Items"]
            keys = tuple(f"{policy_id}@{int(codec.from_item(raw)['sk'].rpartition('#')[2])}" for raw in versions)
            cached = (time.monotonic(), keys)
            _active[self.table] = cached
        policies = sorted((self.policy(key) for key in cached[1]), key=lambda policy: policy.version)
        newest = policies[-1]
        day = today or clock.now().astimezone(newest.working_calendar.zone).date()
        started = [policy for policy in policies if policy.effective_from <= day]
        return started[-1] if started else policies[0]

    def policy(self, key: str) -> SlaPolicy:
        """One stored version; versions never change, so they are cached for the process's life."""
        if key not in _policies:
            policy_id, _, version = key.partition("@")
            found = self._db.get_item(TableName=self.table,
                                      Key=codec.to_item({"pk": POLICY_PK, "sk": f"{policy_id}#{int(version):05d}"}))
            if "Item" not in found:
                raise SlaConfigError(f"SLA policy {key} is not stored in {self.table}")
            _policies[key] = parse_policy(json.loads(codec.from_item(found["Item"])["body"]), key)
        return _policies[key]

    # ------------------------------------------------------------------ clocks
    def clocks(self, code: str, *, consistent: bool = True) -> TicketClocks | None:
        """The ticket's clocks. Eventually consistent (half the units) where a stale read only costs a retry:
        every write is conditional on the `rev` read."""
        found = self._db.get_item(TableName=self.table, Key=codec.to_item({"pk": ticket_pk(code), "sk": SLA_CLOCKS}),
                                  ConsistentRead=consistent)
        return self._read(codec.from_item(found["Item"])) if "Item" in found else None

    def due(self, until: str, page_size: int = 100) -> Iterator[TicketClocks]:
        """Clocks with something to fire at or before `until`: one Query per shard, due items only."""
        for shard in range(SHARDS):
            request: dict[str, Any] = {
                "TableName": self.table, "IndexName": DUE_INDEX, "Limit": page_size,
                "KeyConditionExpression": "sla_shard = :s AND sla_next_at <= :until",
                "ExpressionAttributeValues": codec.to_item({":s": f"SLA#{shard}", ":until": until}),
            }
            while True:
                found = self._db.query(**request)
                yield from self._clocks_behind(found.get("Items", []))
                if "LastEvaluatedKey" not in found:
                    break
                request["ExclusiveStartKey"] = found["LastEvaluatedKey"]

    def _clocks_behind(self, index_items: list[dict[str, Any]]) -> list[TicketClocks]:
        """The clocks behind key-only index entries (one BatchGetItem per 100), in the entries' order. The
        SLA indexes project keys only: the clocks item changes on every lifecycle event, and a full copy in
        the index would be rewritten each time."""
        keys = [{"pk": raw["pk"], "sk": raw["sk"]} for raw in index_items]
        found = {document["pk"]: self._read(document) for document in batch_get(self._db, self.table, keys)}
        return [found[key["pk"]["S"]] for key in keys if key["pk"]["S"] in found]

    def overdue(self, agency_id: str, limit: int = 100) -> list[TicketClocks]:
        found = self._db.query(TableName=self.table, IndexName=OVERDUE_INDEX, Limit=limit,
                               KeyConditionExpression="overdue_pk = :o",
                               ExpressionAttributeValues=codec.to_item({":o": f"OVERDUE#{agency_id}"}))
        return self._clocks_behind(found.get("Items", []))

    def overdue_counts(self) -> dict[str, int]:
        """Overdue tickets per agency (and the desk) now: one Query of the counts kept with the clocks."""
        request: dict[str, Any] = {"TableName": self.table, "KeyConditionExpression": "pk = :pk",
                                   "ExpressionAttributeValues": codec.to_item({":pk": OVERDUE_COUNTS})}
        counts: dict[str, int] = {}
        while True:
            found = self._db.query(**request)
            counts.update({document["sk"]: int(document.get("n", 0))
                           for document in map(codec.from_item, found.get("Items", []))})
            if "LastEvaluatedKey" not in found:
                return counts
            request["ExclusiveStartKey"] = found["LastEvaluatedKey"]

    def recount_overdue(self, agency_ids: list[str]) -> dict[str, int]:
        """Set the overdue counts from the `sla_overdue` index (one COUNT per agency, paged): for a table whose
        clocks were written without them (before they existed, or by a bench writing clocks directly)."""
        counts = {}
        for agency in [*agency_ids, DESK]:
            request: dict[str, Any] = {
                "TableName": self.table, "IndexName": OVERDUE_INDEX, "Select": "COUNT",
                "KeyConditionExpression": "overdue_pk = :o",
                "ExpressionAttributeValues": codec.to_item({":o": f"OVERDUE#{agency}"})}
            counts[agency] = 0
            while True:
                found = self._db.query(**request)
                counts[agency] += int(found.get("Count", 0))
                if "LastEvaluatedKey" not in found:
                    break
                request["ExclusiveStartKey"] = found["LastEvaluatedKey"]
            self._db.put_item(TableName=self.table, Item=codec.to_item({"pk": OVERDUE_COUNTS, "sk": agency,
                                                                         "n": counts[agency]}))
        return counts

    def _overdue_moves(self, was: str | None, now: str | None) -> list[dict[str, Any]]:
        """The overdue counts a clocks write moves: -1 where the ticket was overdue, +1 where it is now."""
        if was == now:
            return []
        return [{"Update": {"TableName": self.table,
                            "Key": codec.to_item({"pk": OVERDUE_COUNTS, "sk": key.partition("#")[2]}),
                            "UpdateExpression": "ADD n :d", "ExpressionAttributeValues": {":d": {"N": str(step)}}}}
                for key, step in ((was, -1), (now, 1)) if key]

    def commit(self, clocks: TicketClocks, expected_rev: int, *, change: Change | None = None,
               queue: str | None = None) -> None:
        """The clocks (rev + 1), and with them the ticket change (head and timeline entries), or nothing.
        `queue`: the ticket's queue key now (the due-queue index lists the clocks under it)."""
        condition = "attribute_not_exists(pk)" if expected_rev == 0 else "rev = :rev"
        values = {} if expected_rev == 0 else {":rev": codec.value(expected_rev)}
        # Where the ticket counted as overdue when read; the condition makes sure (else: read again, retry).
        read_rev, was = self._overdue_read.get(clocks.tracking_code, (expected_rev, None))
        was = was if read_rev == expected_rev and expected_rev else None
        if expected_rev:
            condition += " AND overdue_pk = :was" if was else " AND attribute_not_exists(overdue_pk)"
            values |= {":was": codec.value(was)} if was else {}
        clocks.rev = expected_rev + 1
        item = clocks_item(clocks, queue)
        now = item["overdue_pk"]["S"] if "overdue_pk" in item else None
        put: dict[str, Any] = {"TableName": self.table, "Item": item, "ConditionExpression": condition}
        if values:
            put["ExpressionAttributeValues"] = values
        writes: list[dict[str, Any]] = [{"Put": put}, *self._overdue_moves(was, now),
                                        *(change_writes(self.table, change) if change else ())]
        try:
            transact(self._db, writes)
        except ClientError as error:
            clocks.rev = expected_rev
            if error.response["Error"]["Code"] in ("ConditionalCheckFailedException", "TransactionCanceledException"):
                raise RevConflict(clocks.tracking_code) from error
            raise
        self._overdue_read[clocks.tracking_code] = (clocks.rev, now)

    def record(self, clocks: TicketClocks, expected_rev: int, entries: Sequence[TimelineEntry],
               snapshot: TicketSnapshot, queue: str | None) -> None:
        """The tracker's write, without a transaction (each item once, not twice): the entries first, each
        put only if absent (derived ids: a retry after a crash or a conflict writes the same ones and finds
        them), then the clocks, conditional on `rev`. A crash between the two leaves the event unapplied,
        so its redelivery writes the clocks and finds the entries."""
        for index, entry in enumerate(entries):
            try:
                self._db.put_item(TableName=self.table, Item=entry_item(entry, index, snapshot),
                                  ConditionExpression="attribute_not_exists(sk)")
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
        self.commit(clocks, expected_rev, queue=queue)

    def advance(self, code: str, after_version: int, version: int, occurred_at: str, queue: str) -> bool:
        """A lifecycle step that changes no clock, recorded without reading the clocks: the version applied
        (and when it happened) and the ticket's queue now (the due-queue index's key), only when the clocks
        applied the ticket's previous version. False when they did not (or were stored before the compact
        form): read them and apply the step in full. `rev` goes up, so a sweep that read the clocks before
        this writes nothing and reads again."""
        try:
            self._db.update_item(
                TableName=self.table, Key=codec.to_item({"pk": ticket_pk(code), "sk": SLA_CLOCKS}),
                UpdateExpression="SET #v = :version, #at = :at, queue_pk = :queue, rev = rev + :one",
                ConditionExpression="#v = :after",
                ExpressionAttributeNames={"#v": APPLIED_VERSION, "#at": APPLIED_AT},
                ExpressionAttributeValues=codec.to_item({":version": version, ":at": occurred_at, ":queue": queue,
                                                         ":one": 1, ":after": after_version}))
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
