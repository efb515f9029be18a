"""Statistics in the tickets table (see docs/statistics.md for the key design).

  fact          pk STATS#F#<yyyy-mm>         sk <day>#<agency>#<category>#<channel>#<area>   counters (ADD)
  open count    pk STATS#O                   sk <agency>#<category>#<channel>#<area>#<created day>   n_<status>
  ticket state  pk STATS#TICKET#<ticket id>  sk #STATE   what the backlog counted, and `seen`: the keys of
                                                         every event of this ticket already counted

One event = one TransactWriteItems of two to four small items: the ticket state (conditional on the
version read and on the event not being in `seen`), the event's one fact and the open counts it moves,
so a redelivered event changes nothing. The report cells (city or agency, by a dimension) are sums of
facts and open counts, added up when read: a period's read is one Query per month touched.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from aduan.dal import codec
from aduan.dal.clients import client
from aduan.logic.stats import Combo, Delta, TicketFold, TicketState, cells, dims_of, merged_cells

_BATCH = 25
MAX_TRANSACTION_ITEMS = 100  # TransactWriteItems' limit
OPEN_PK = "STATS#O"
SEP = "#"
logger = logging.getLogger(__name__)


class StaleState(Exception):
    """The ticket's stats state changed since it was read: process the event again."""


def fact_pk(month: str) -> str:
    return f"STATS#F#{month}"


def fact_sk(day: str, combo: Combo) -> str:
    return SEP.join((day, *combo))


def open_sk(combo: Combo, created_day: str) -> str:
    return SEP.join((*combo, created_day))


def state_key(ticket_id: str) -> dict[str, Any]:
    return codec.to_item({"pk": f"STATS#TICKET#{ticket_id}", "sk": "#STATE"})


def months(start: date, end: date) -> list[str]:
    found, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _add(key: dict[str, Any], counters: Mapping[str, int]) -> dict[str, Any]:
    names = {f"#c{i}": name for i, name in enumerate(counters)}
    values = {f":c{i}": n for i, n in enumerate(counters.values())}
    return {"Key": codec.to_item(key), "UpdateExpression": "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(
        counters))), "ExpressionAttributeNames": names, "ExpressionAttributeValues": codec.to_item(values)}


def _counters(document: Mapping[str, Any]) -> Counter[str]:
    return Counter({k: int(v) for k, v in document.items() if k not in ("pk", "sk") and isinstance(v, int) and v})


def _spread(combo: Combo, scope: str, dim: str) -> str | None:
    """The value of the (scope, dim) report cell a fact or open count with this combination adds to."""
    for cell_scope, cell_dim, value in cells(dims_of(combo)):
        if (cell_scope, cell_dim) == (scope, dim):
            return value
    return None


class StatsRepository:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    # ------------------------------------------------------------------ writes
    def state(self, ticket_id: str) -> TicketState | None:
        return self.read_state(ticket_id)[0]

    def read_state(self, ticket_id: str) -> tuple[TicketState | None, frozenset[str]]:
        """What the backlog last counted for the ticket (None: nothing yet, or only SLA events), and the keys
        of its events already counted."""
        item = self._db.get_item(TableName=self.table, Key=state_key(ticket_id), ConsistentRead=True).get("Item")
        document = codec.from_item(item) if item else {}
        seen = frozenset(document.get("seen") or ())
        if "version" not in document:  # absent, or only the SLA events' `seen` so far
            return None, seen
        return TicketState(**{name: document[name] for name in TicketState.__dataclass_fields__}), seen

    def _state_update(self, ticket_id: str, keys: list[str], state: TicketState | None,
                      read_version: int | None) -> dict[str, Any]:
        """The ticket's stats state: its events' keys added to `seen` on condition none is there yet, and, when
        the backlog moved, its new state on condition of the version read."""
        update: dict[str, Any] = {"TableName": self.table, "Key": state_key(ticket_id),
                                  "UpdateExpression": "ADD seen :keys",
                                  "ConditionExpression": " AND ".join(f"NOT contains(seen, :k{i})"
                                                                      for i in range(len(keys))),
                                  "ExpressionAttributeValues": {":keys": {"SS": list(keys)}}
                                  | {f":k{i}": {"S": key} for i, key in enumerate(keys)}}
        if state is not None:
            fields = vars(state)
            update["UpdateExpression"] += " SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(fields)))
            update["ExpressionAttributeNames"] = {f"#f{i}": name for i, name in enumerate(fields)}
            update["ExpressionAttributeValues"] |= codec.to_item({f":f{i}": v for i, v in enumerate(fields.values())})
            if read_version is None:
                update["ConditionExpression"] += " AND attribute_not_exists(version)"
            else:
                update["ConditionExpression"] += " AND version = :read"
                update["ExpressionAttributeValues"][":read"] = codec.value(read_version)
        return update

    def _cell_updates(self, facts: Mapping[tuple[str, Combo], Counter[str]],
                      opened: Mapping[tuple[Combo, str], Counter[str]]) -> list[dict[str, Any]]:
        writes = [{"Update": {"TableName": self.table, **_add({"pk": fact_pk(day[:7]), "sk": fact_sk(day, combo)},
                                                               counters)}}
                  for (day, combo), counters in facts.items()]
        writes += [{"Update": {"TableName": self.table, **_add({"pk": OPEN_PK, "sk": open_sk(combo, created_day)},
                                                                counters)}}
                   for (combo, created_day), counters in opened.items()]
        return writes

    def _write(self, state: dict[str, Any], writes: list[dict[str, Any]]) -> None:
        if writes:
            self._db.transact_write_items(TransactItems=[{"Update": state}, *writes])
        else:
            self._db.update_item(**state)

    def apply(self, event_key: str, delta: Delta, ticket_id: str, read_version: int | None) -> bool:
        """Record one event's effect exactly once; False if it was already recorded."""
        try:
            self._write(self._state_update(ticket_id, [event_key], delta.state, read_version),
                        self._cell_updates(delta.facts, delta.open))
        except ClientError as error:
            code = error.response["Error"]["Code"]
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            if code != "ConditionalCheckFailedException" and reasons[:1] != ["ConditionalCheckFailed"]:
                raise
            if delta.state is None or self._seen(ticket_id, event_key):
                return False
            raise StaleState(ticket_id) from error
        return True

    def apply_folded(self, folds: Mapping[str, TicketFold]) -> bool:
        """Record a queue batch's events (folded per ticket) in ONE transaction: each ticket's state once, each
        fact and open count once with the batch's summed deltas. False when it cannot be (a key already seen,
        a concurrent change, too many items, a refusal): nothing was written, count the events one by one."""
        states = [self._state_update(ticket_id, fold.keys, fold.delta.state,
                                     fold.read.version if fold.read else None)
                  for ticket_id, fold in folds.items() if fold.keys]
        cells = self._cell_updates(*merged_cells(folds.values()))
        if not states:
            return True
        if len(states) + len(cells) > MAX_TRANSACTION_ITEMS:
            return False
        try:
            if len(states) == 1:
                self._write(states[0], cells)
            else:
                self._db.transact_write_items(TransactItems=[{"Update": state} for state in states] + cells)
        except ClientError as error:
            logger.info("statistics: folded batch refused (%s), counting one by one", error.response["Error"]["Code"])
            return False
        return True

    def _seen(self, ticket_id: str, event_key: str) -> bool:
        item = self._db.get_item(TableName=self.table, Key=state_key(ticket_id), ConsistentRead=True,
                                 ProjectionExpression="seen").get("Item") or {}
        return event_key in item.get("seen", {}).get("SS", [])

    # ------------------------------------------------------------------ reads
    def _query(self, pk: str, low: str | None = None, high: str | None = None) -> Iterator[dict[str, Any]]:
        request: dict[str, Any] = {"TableName": self.table, "KeyConditionExpression": "pk = :pk",
                                   "ExpressionAttributeValues": codec.to_item({":pk": pk})}
        if low is not None and high is not None:
            request["KeyConditionExpression"] += " AND sk BETWEEN :low AND :high"
            request["ExpressionAttributeValues"] = codec.to_item({":pk": pk, ":low": low, ":high": high})
        for page in self._db.get_paginator("query").paginate(**request):
            for item in page.get("Items", []):
                yield codec.from_item(item)

    def flow(self, scope: str, dim: str, start: date, end: date) -> dict[tuple[str, str], Counter[str]]:
        """(day, value) -> counters of the (scope, dim) cells, for local days start..end: one Query per month."""
        found: dict[tuple[str, str], Counter[str]] = {}
        for month in months(start, end):
            for document in self._query(fact_pk(month), f"{start.isoformat()}{SEP}", f"{end.isoformat()}{SEP}\uffff"):
                day, *combo = document["sk"].split(SEP)
                value = _spread((combo[0], combo[1], combo[2], combo[3]), scope, dim)
                if value is not None:
                    found.setdefault((day, value), Counter()).update(_counters(document))
        return {key: +counters for key, counters in found.items() if +counters}

    def backlog(self, scope: str, dim: str) -> dict[str, dict[str, Counter[str]]]:
        """value -> created day -> open tickets by status (n_<status>): one Query."""
        found: dict[str, dict[str, Counter[str]]] = {}
        for document in self._query(OPEN_PK):
            *combo, created_day = document["sk"].split(SEP)
            value = _spread((combo[0], combo[1], combo[2], combo[3]), scope, dim)
            counters = _counters(document)
            if value is not None and counters:
                found.setdefault(value, {}).setdefault(created_day, Counter()).update(counters)
        return found

    # ------------------------------------------------------------------ rebuild
    def raw_cells(self, pk: str) -> dict[str, dict[str, Any]]:
        return {document["sk"]: document for document in self._query(pk)}

    def replace_cells(self, puts: list[dict[str, Any]], deletes: list[dict[str, str]]) -> None:
        requests = [{"PutRequest": {"Item": codec.to_item(item)}} for item in puts]
        requests += [{"DeleteRequest": {"Key": codec.to_item(key)}} for key in deletes]
        for start in range(0, len(requests), _BATCH):
            pending: Any = {self.table: requests[start:start + _BATCH]}
            for attempt in range(8):
                pending = self._db.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(min(0.05 * 2 ** attempt, 2.0))
            else:
                raise RuntimeError("statistics rebuild: writes throttled 8 times")
