"""Statistics in the tickets table (see docs/statistics.md for the key design).

  flow cell     pk STATS#<scope>#<dim>#<yyyy-mm>   sk <day>#<value>            counters (ADD)
  backlog cell  pk STATS#OPEN#<scope>#<dim>        sk <value>#<created day>    n_<status> (ADD)
  ticket state  pk STATS#TICKET#<ticket id>        sk #STATE                   what the backlog counted
  seen marker   pk STATS#SEEN#<event id>           sk #                        dedupe (TTL)
  SLA log       pk STATS#SLALOG#<yyyy-mm>          sk <time>#<event id>        SLA events, for rebuilds

One event = one TransactWriteItems: the seen marker (attribute_not_exists), the ticket state
(conditional on the version read), and the counter updates, so a redelivered event changes nothing.
A period's read is one Query per month touched.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from aduan.dal import codec
from aduan.dal.clients import client
from aduan.logic.stats import Delta, TicketState

SEEN_TTL_SECONDS = 400 * 86400
_BATCH = 25


class StaleState(Exception):
    """The ticket's stats state changed since it was read: process the event again."""


def flow_pk(scope: str, dim: str, month: str) -> str:
    return f"STATS#{scope}#{dim}#{month}"


def backlog_pk(scope: str, dim: str) -> str:
    return f"STATS#OPEN#{scope}#{dim}"


def state_key(ticket_id: str) -> dict[str, Any]:
    return codec.to_item({"pk": f"STATS#TICKET#{ticket_id}", "sk": "#STATE"})


def months(start: date, end: date) -> list[str]:
    found, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _add(key: dict[str, Any], counters: Mapping[str, int], extra: Mapping[str, str]) -> dict[str, Any]:
    names = {f"#c{i}": name for i, name in enumerate(counters)}
    values = {f":c{i}": n for i, n in enumerate(counters.values())}
    sets = {f"#s{i}": name for i, name in enumerate(extra)}
    set_values = {f":s{i}": v for i, v in enumerate(extra.values())}
    expression = "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(counters)))
    if extra:
        expression += " SET " + ", ".join(f"#s{i} = :s{i}" for i in range(len(extra)))
    return {"Key": codec.to_item(key), "UpdateExpression": expression,
            "ExpressionAttributeNames": {**names, **sets},
            "ExpressionAttributeValues": codec.to_item({**values, **set_values})}


def _counters(document: Mapping[str, Any]) -> Counter[str]:
    skip = {"pk", "sk", "scope", "dim", "value", "day"}
    return Counter({k: int(v) for k, v in document.items() if k not in skip and isinstance(v, int) and v})


class StatsRepository:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    # ------------------------------------------------------------------ writes
    def state(self, ticket_id: str) -> TicketState | None:
        item = self._db.get_item(TableName=self.table, Key=state_key(ticket_id), ConsistentRead=True).get("Item")
        if not item:
            return None
        document = codec.from_item(item)
        return TicketState(**{name: document[name] for name in TicketState.__dataclass_fields__})

    def apply(self, event_id: str, delta: Delta, ticket_id: str | None, read_version: int | None,
              sla_log: tuple[str, str, dict[str, Any]] | None = None) -> bool:
        """Record one event's effect exactly once; False if it was already recorded."""
        marker = {"pk": f"STATS#SEEN#{event_id}", "sk": "#", "expires_at": int(time.time()) + SEEN_TTL_SECONDS}
        writes: list[dict[str, Any]] = [{"Put": {"TableName": self.table, "Item": codec.to_item(marker),
                                                 "ConditionExpression": "attribute_not_exists(pk)"}}]
        if ticket_id and delta.state is not None:
            document = {"pk": f"STATS#TICKET#{ticket_id}", "sk": "#STATE", **vars(delta.state)}
            put: dict[str, Any] = {"TableName": self.table, "Item": codec.to_item(document)}
            if read_version is None:
                put["ConditionExpression"] = "attribute_not_exists(pk)"
            else:
                put["ConditionExpression"] = "version = :read"
                put["ExpressionAttributeValues"] = {":read": codec.value(read_version)}
            writes.append({"Put": put})
        for (scope, dim, day, value), counters in delta.flow.items():
            key = {"pk": flow_pk(scope, dim, day[:7]), "sk": f"{day}#{value}"}
            extra = {"scope": scope, "dim": dim, "day": day, "value": value}
            writes.append({"Update": {"TableName": self.table, **_add(key, counters, extra)}})
        for (scope, dim, value, created_day), counters in delta.backlog.items():
            key = {"pk": backlog_pk(scope, dim), "sk": f"{value}#{created_day}"}
            extra = {"scope": scope, "dim": dim, "day": created_day, "value": value}
            writes.append({"Update": {"TableName": self.table, **_add(key, counters, extra)}})
        if sla_log:
            month, sk, body = sla_log
            writes.append({"Put": {"TableName": self.table, "Item": codec.to_item(
                {"pk": f"STATS#SLALOG#{month}", "sk": sk, "body": json.dumps(body, separators=(",", ":"))})}})
        try:
            self._db.transact_write_items(TransactItems=writes)
        except ClientError as error:
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            if reasons[:1] == ["ConditionalCheckFailed"]:
                return False
            if "ConditionalCheckFailed" in reasons:
                raise StaleState(ticket_id or event_id) from error
            raise
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
        """(day, value) -> counters, for local days start..end: one Query per month."""
        found: dict[tuple[str, str], Counter[str]] = {}
        for month in months(start, end):
            for document in self._query(flow_pk(scope, dim, month), f"{start.isoformat()}#",
                                        f"{end.isoformat()}#\uffff"):
                counters = _counters(document)
                if counters:
                    day, _, value = document["sk"].partition("#")
                    found[(day, value)] = counters
        return found

    def backlog(self, scope: str, dim: str) -> dict[str, dict[str, Counter[str]]]:
        """value -> created day -> open tickets by status (n_<status>): one Query."""
        found: dict[str, dict[str, Counter[str]]] = {}
        for document in self._query(backlog_pk(scope, dim)):
            counters = _counters(document)
            if counters:
                value, _, created_day = document["sk"].rpartition("#")
                found.setdefault(value, {})[created_day] = counters
        return found

    def sla_log(self, month: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for document in self._query(f"STATS#SLALOG#{month}"):
            body = json.loads(document["body"])
            yield body["kind"], body["detail"]

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
