"""What one DynamoDB request would cost on AWS, from its parameters, its answer and the items it touched.

The items a write replaces are read (by the recorder, with a client it does not watch) before the call,
because the larger of the old and new item is what AWS charges and index maintenance depends on both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from infra.bench.capacity import (
    Cost,
    Table,
    condition_check,
    item_read,
    item_size,
    item_write,
    query_read,
    refused_write,
)


class Store(Protocol):
    """Reads the stored state without being counted."""

    def table(self, name: str) -> Table: ...

    def item(self, table: str, key: Mapping[str, Any]) -> dict[str, Any] | None: ...

    def query_items(self, params: Mapping[str, Any]) -> list[dict[str, Any]]: ...


@dataclass
class Touch:
    """One item a write request acts on."""

    action: str  # Put | Update | Delete | ConditionCheck
    table: str
    key: dict[str, Any]
    item: Mapping[str, Any] | None = None  # the whole new item, for a Put
    old: dict[str, Any] | None = None


@dataclass
class Charge:
    cost: Cost = field(default_factory=Cost)
    item_bytes: list[int] = field(default_factory=list)  # size of each item priced (writes: the larger)
    notes: list[str] = field(default_factory=list)


def touches(store: Store, operation: str, params: Mapping[str, Any]) -> list[Touch]:
    """The items a write request will act on (empty for reads)."""
    if operation == "PutItem":
        item = params["Item"]
        return [Touch("Put", params["TableName"], store.table(params["TableName"]).key_of(item), item)]
    if operation in ("UpdateItem", "DeleteItem"):
        return [Touch(operation.removesuffix("Item"), params["TableName"], dict(params["Key"]))]
    if operation == "TransactWriteItems":
        found = []
        for entry in params["TransactItems"]:
            ((action, body),) = entry.items()
            if action == "Put":
                key = store.table(body["TableName"]).key_of(body["Item"])
                found.append(Touch(action, body["TableName"], key, body["Item"]))
            else:
                found.append(Touch(action, body["TableName"], dict(body["Key"])))
        return found
    if operation == "BatchWriteItem":
        found = []
        for name, requests in params["RequestItems"].items():
            for request in requests:
                if "PutRequest" in request:
                    item = request["PutRequest"]["Item"]
                    found.append(Touch("Put", name, store.table(name).key_of(item), item))
                else:
                    found.append(Touch("Delete", name, dict(request["DeleteRequest"]["Key"])))
        return found
    return []


def remember_old_items(store: Store, found: list[Touch]) -> None:
    for touch in found:
        touch.old = store.item(touch.table, touch.key)


def _new_item(store: Store, touch: Touch) -> Mapping[str, Any] | None:
    if touch.action == "Put":
        return touch.item
    if touch.action == "Update":
        return store.item(touch.table, touch.key)
    if touch.action == "Delete":
        return None
    return touch.old  # ConditionCheck changes nothing


def write_charge(store: Store, operation: str, found: list[Touch], failed: bool) -> Charge:
    charge = Charge()
    transactional = operation == "TransactWriteItems"
    if failed and transactional:
        charge.notes.append("transaction cancelled: AWS returns no consumed capacity")
        return charge
    for touch in found:
        new = touch.item if failed else _new_item(store, touch)
        charge.item_bytes.append(max(item_size(touch.old), item_size(new)))
        if touch.action == "ConditionCheck":
            charge.cost += condition_check(touch.old)
        elif failed:
            # A refused condition still costs the table write; the stored item is unchanged.
            charge.cost += refused_write(touch.old, touch.item)
        else:
            charge.cost += item_write(store.table(touch.table), touch.old, new, transactional=transactional)
    if failed:
        charge.notes.append("condition failed: table write charged, indexes untouched")
    return charge


def read_charge(store: Store, operation: str, params: Mapping[str, Any], response: Mapping[str, Any]) -> Charge:
    charge = Charge()
    if operation == "GetItem":
        item = response.get("Item")
        if "ProjectionExpression" in params:
            item = store.item(params["TableName"], params["Key"])  # AWS charges the whole item
        charge.cost = item_read(item, consistent=bool(params.get("ConsistentRead")))
        charge.item_bytes = [item_size(item)] if item else []
    elif operation in ("Query", "Scan"):
        # Reads on an index are always eventually consistent.
        consistent = bool(params.get("ConsistentRead")) and "IndexName" not in params
        items = response.get("Items", [])
        if params.get("Select") == "COUNT" and operation == "Query":
            # A count returns no items but AWS charges every item it read: size the same page's items.
            items = store.query_items(params)
        charge.cost = query_read(items, consistent=consistent)
        charge.item_bytes = [item_size(item) for item in items]
        if {"ProjectionExpression", "FilterExpression", "Select"} & set(params):
            charge.notes.append("approximate: sized on the returned items, AWS sizes the items it read")
        if operation == "Scan":
            charge.notes.append("SCAN")
    elif operation == "TransactGetItems":
        for entry in params["TransactItems"]:
            body = entry["Get"]
            item = store.item(body["TableName"], body["Key"])
            charge.item_bytes.append(item_size(item))
            charge.cost += item_read(item, consistent=True, transactional=True)
    elif operation == "BatchGetItem":
        for name, request in params["RequestItems"].items():
            for item in response.get("Responses", {}).get(name, []):
                charge.item_bytes.append(item_size(item))
                charge.cost += item_read(item, consistent=bool(request.get("ConsistentRead")))
    return charge
