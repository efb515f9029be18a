"""Statistics in the tickets table (see docs/statistics.md for the key design).

  fact          pk STATS#F#<yyyy-mm>         sk <day>#<agency>#<category>#<channel>#<area>   counters (ADD),
                                                         `applied`: the markers of the events counted on it
  open count    pk STATS#O                   sk <agency>#<category>#<channel>#<area>#<created day>   n_<status>
  ticket state  pk STATS#TICKET#<ticket id>  sk #STATE   what the backlog counted (status, dimensions, version)

Each write is exactly-once on its own: a fact's ADD is conditional on the event's marker not being in its
`applied` set (and adds it), and a backlog move (the ticket state with the open counts it moves, one
transaction) is conditional on the ticket version read, so an event already counted, or older than the state,
moves nothing. No write depends on another having happened, so a failure between them loses nothing: the
message is delivered again and only the missing writes take. The report cells (city or agency, by a dimension)
are sums of facts and open counts, added up when read: a period's read is one Query per month touched.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from aduan.dal import codec
from aduan.dal.clients import client
from aduan.logic.stats import Combo, MarkedFacts, TicketState, cells, dims_of

_BATCH = 25
OPEN_PK = "STATS#O"
SEP = "#"
_STATE_FIELDS = tuple(TicketState.__dataclass_fields__)


class StaleState(Exception):
    """The ticket's stats state kept changing under us: count the event again (the message is retried)."""


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


def _condition(before: TicketState | None, guessed: bool) -> str:
    """What the stored state must be for a move worked out from `before` (names and values as in `move`)."""
    if before is None:
        return "attribute_not_exists(version)"
    if not guessed:
        return "version = :read"
    return " AND ".join(["version < :next", *(f"#f{i} = :g{i}" for i, name in enumerate(_STATE_FIELDS)
                                             if name != "version")])


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
    def state(self, ticket_id: str, consistent: bool = False) -> TicketState | None:
        """What the backlog last counted for the ticket (None: nothing yet). An eventually consistent read is
        enough the first time: the write is conditional on the version read, and a refused one reads again."""
        item = self._db.get_item(TableName=self.table, Key=state_key(ticket_id), ConsistentRead=consistent,
                                 ProjectionExpression="#f" + ", #f".join(str(i) for i in range(len(_STATE_FIELDS))),
                                 ExpressionAttributeNames={f"#f{i}": name for i, name in enumerate(_STATE_FIELDS)}
                                 ).get("Item")
        document = codec.from_item(item) if item else {}
        if "version" not in document:  # absent (or only the `seen` set of the earlier design)
            return None
        return TicketState(**{name: document[name] for name in _STATE_FIELDS})

    def add_facts(self, facts: MarkedFacts) -> set[str]:
        """Each fact's counters, once: one conditional ADD per fact with every event's marker, and, when one of
        them is there already (a redelivery), one per event. The markers of the events counted now."""
        applied: set[str] = set()
        for (day, combo), by_marker in facts.items():
            key = {"pk": fact_pk(day[:7]), "sk": fact_sk(day, combo)}
            together = sum(by_marker.values(), Counter())
            if self._add_once(key, list(by_marker), together):
                applied.update(by_marker)
            elif len(by_marker) > 1:
                applied.update(mark for mark, counters in by_marker.items() if self._add_once(key, [mark], counters))
        return applied

    def _add_once(self, key: dict[str, str], marks: list[str], counters: Counter[str]) -> bool:
        update = _add(key, counters)
        update["UpdateExpression"] += ", applied :marks"
        update["ConditionExpression"] = " AND ".join(f"NOT contains(applied, :m{i})" for i in range(len(marks)))
        update["ExpressionAttributeValues"] |= {":marks": {"SS": marks}} | {f":m{i}": {"S": mark}
                                                                             for i, mark in enumerate(marks)}
        try:
            self._db.update_item(TableName=self.table, **update)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def move(self, ticket_id: str, state: TicketState, before: TicketState | None, guessed: bool,
             opened: Mapping[tuple[Combo, str], Counter[str]]) -> bool:
        """The ticket's new state and the open counts it moves, on condition of the state they were worked out
        from (one conditional UpdateItem when no open count moves): the version read, or, when `before` was
        not read but taken from the event (`guessed`), every field it counts and a lower version. False when
        the stored state is another: read it again."""
        fields = vars(state)
        update: dict[str, Any] = {
            "TableName": self.table, "Key": state_key(ticket_id),
            # `seen` (the earlier design's set of counted events) goes: the item shrinks back under 1 KB.
            "UpdateExpression": "SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(fields))) + " REMOVE seen",
            "ExpressionAttributeNames": {f"#f{i}": name for i, name in enumerate(fields)},
            "ExpressionAttributeValues": codec.to_item({f":f{i}": v for i, v in enumerate(fields.values())}),
            "ConditionExpression": _condition(before, guessed)}
        if before is not None:
            expected = {":read": before.version} if not guessed else {
                f":g{i}": value for i, (name, value) in enumerate(vars(before).items()) if name != "version"
            } | {":next": before.version + 1}
            update["ExpressionAttributeValues"] |= codec.to_item(expected)
        moves = [{"Update": {"TableName": self.table, **_add({"pk": OPEN_PK, "sk": open_sk(combo, created_day)},
                                                              counters)}}
                 for (combo, created_day), counters in opened.items()]
        try:
            if moves:
                self._db.transact_write_items(TransactItems=[{"Update": update}, *moves])
            else:
                self._db.update_item(**update)
        except ClientError as error:
            # Refused on the version read, or another transaction on one of the items (open counts are shared
            # by many tickets): read again and retry. Anything else is the invocation's failure.
            reasons = {r.get("Code") for r in error.response.get("CancellationReasons", [])}
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException" and \
                    not reasons & {"ConditionalCheckFailed", "TransactionConflict"}:
                raise
            return False
        return True

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
