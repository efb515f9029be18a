"""DynamoDB capacity units a request would consume on AWS, from item sizes (moto's figures are not AWS's).

Rules, from the DynamoDB developer guide ("DynamoDB item sizes and formats", "read and write operations",
"global secondary indexes: write considerations"):
- item size = sum over attributes of (UTF-8 bytes of the name + size of the value); S: UTF-8 bytes,
  N: 1 byte per two significant digits + 1, B: raw bytes, BOOL/NULL: 1, M/L: 3 + the nested elements,
  each element + 1 byte (a map element also counts its name); sets: the sum of their elements.
- writes: 1 WCU per started KB of the larger of the old and new item; transactions double that.
- reads: 1 RCU per started 4 KB strongly consistent, half eventually consistent, double transactional;
  a Query rounds the sum of the items it read up once; a read that finds nothing still costs one unit.
- a global secondary index costs a write whenever the item's index entry appears, changes or goes away;
  a changed index key is a delete plus a put. Index writes are charged like plain writes, also inside a
  transaction (the 2x transaction factor applies to the base table only: measured by the
  dynamodb-conformance suite against AWS, not stated in the guide).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

KB = 1024
READ_UNIT_BYTES = 4 * KB
WRITE_UNIT_BYTES = KB
CONTAINER_OVERHEAD = 3
ELEMENT_OVERHEAD = 1

Item = Mapping[str, Any]  # the low-level client's wire format: {"name": {"S": "..."}, ...}


# ---------------------------------------------------------------------------------------------- sizes
def number_size(text: str) -> int:
    """Bytes of an N value: leading and trailing zeros do not count, nor do sign, point or exponent."""
    try:
        digits = Decimal(text).normalize().as_tuple().digits
    except InvalidOperation:
        digits = tuple(int(c) for c in text if c.isdigit())
    significant = "".join(str(d) for d in digits).strip("0")
    return math.ceil(max(len(significant), 1) / 2) + 1


def _binary_size(value: bytes | bytearray | str) -> int:
    # botocore hands us raw bytes; a str here would already be base64 on the wire, so count its bytes.
    return len(value) if isinstance(value, bytes | bytearray) else len(value.encode())


def value_size(value: Mapping[str, Any]) -> int:
    """Size of one attribute value (without its name)."""
    ((kind, body),) = value.items()
    if kind == "S":
        return len(str(body).encode("utf-8"))
    if kind == "N":
        return number_size(str(body))
    if kind == "B":
        return _binary_size(body)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(element).encode("utf-8")) for element in body)
    if kind == "NS":
        return sum(number_size(str(element)) for element in body)
    if kind == "BS":
        return sum(_binary_size(element) for element in body)
    if kind == "L":
        return CONTAINER_OVERHEAD + sum(value_size(element) + ELEMENT_OVERHEAD for element in body)
    if kind == "M":
        return CONTAINER_OVERHEAD + sum(len(name.encode("utf-8")) + value_size(element) + ELEMENT_OVERHEAD
                                        for name, element in body.items())
    raise ValueError(f"unknown DynamoDB attribute type {kind!r}")


def item_size(item: Item | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


# ---------------------------------------------------------------------------------------------- units
def write_units(size: int) -> int:
    """WCU of one standard write: every started KB, at least one."""
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def read_units(size: int, *, consistent: bool = True, transactional: bool = False) -> float:
    """RCU of reading `size` bytes in one go (one item, or the sum of a Query's items)."""
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    if transactional:
        return 2.0 * units
    return float(units) if consistent else units / 2


# ---------------------------------------------------------------------------------------------- schema
@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str = "ALL"  # ALL | KEYS_ONLY | INCLUDE
    non_key_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    keys: tuple[str, ...]
    indexes: tuple[Index, ...] = ()

    @classmethod
    def from_description(cls, description: Mapping[str, Any]) -> Table:
        """From DescribeTable's `Table` (or a CloudFormation table's properties plus `TableName`)."""
        def names(schema: Iterable[Mapping[str, str]]) -> tuple[str, ...]:
            ordered = sorted(schema, key=lambda key: key["KeyType"] != "HASH")
            return tuple(key["AttributeName"] for key in ordered)

        indexes = tuple(
            Index(name=index["IndexName"], keys=names(index["KeySchema"]),
                  projection=index.get("Projection", {}).get("ProjectionType", "ALL"),
                  non_key_attributes=tuple(index.get("Projection", {}).get("NonKeyAttributes", ())))
            for index in description.get("GlobalSecondaryIndexes", ())
        )
        return cls(name=description["TableName"], keys=names(description["KeySchema"]), indexes=indexes)

    def key_of(self, item: Item) -> dict[str, Any]:
        return {name: item[name] for name in self.keys if name in item}


def projected(table: Table, index: Index, item: Item | None) -> dict[str, Any] | None:
    """The item's entry in the index, or None when the item lacks an index key (sparse index)."""
    if not item or not all(name in item for name in index.keys):
        return None
    if index.projection == "ALL":
        return dict(item)
    kept = set(table.keys) | set(index.keys)
    if index.projection == "INCLUDE":
        kept |= set(index.non_key_attributes)
    return {name: value for name, value in item.items() if name in kept}


def index_write_units(table: Table, old: Item | None, new: Item | None) -> dict[str, int]:
    """WCU each index spends on a write that turns `old` into `new` (None = absent)."""
    spent: dict[str, int] = {}
    for index in table.indexes:
        before, after = projected(table, index, old), projected(table, index, new)
        if before is None and after is None:
            units = 0
        elif before is None:
            units = write_units(item_size(after))
        elif after is None:
            units = write_units(item_size(before))
        elif any(before[name] != after[name] for name in index.keys):
            units = write_units(item_size(before)) + write_units(item_size(after))  # delete + put
        elif before != after:
            units = write_units(max(item_size(before), item_size(after)))
        else:
            units = 0
        if units:
            spent[index.name] = units
    return spent


# ---------------------------------------------------------------------------------------------- costs
@dataclass
class Cost:
    """Capacity of one request (or a part of one): table units and units per index."""

    rcu: float = 0.0
    wcu: float = 0.0
    index_wcu: dict[str, int] = field(default_factory=dict)

    @property
    def total_wcu(self) -> float:
        return self.wcu + sum(self.index_wcu.values())

    def __add__(self, other: Cost) -> Cost:
        merged = dict(self.index_wcu)
        for name, units in other.index_wcu.items():
            merged[name] = merged.get(name, 0) + units
        return Cost(self.rcu + other.rcu, self.wcu + other.wcu, merged)


def item_write(table: Table, old: Item | None, new: Item | None, *, transactional: bool = False) -> Cost:
    """A put, update or delete of one item: the larger of its two sizes, plus the index maintenance."""
    units = write_units(max(item_size(old), item_size(new)))
    return Cost(wcu=2.0 * units if transactional else float(units), index_wcu=index_write_units(table, old, new))


def refused_write(old: Item | None, new: Item | None) -> Cost:
    """A single-item write whose condition failed: the table write is still charged, no index changes."""
    return Cost(wcu=float(write_units(max(item_size(old), item_size(new)))))


def condition_check(item: Item | None) -> Cost:
    """A ConditionCheck in a transaction, charged as a transactional read of the item it checks.

    (The dynamodb-conformance suite measured 2 WCU for a small item instead; either way it is 2 units.)"""
    return Cost(rcu=read_units(item_size(item), transactional=True))


def item_read(item: Item | None, *, consistent: bool, transactional: bool = False) -> Cost:
    return Cost(rcu=read_units(item_size(item), consistent=consistent, transactional=transactional))


def query_read(items: Sequence[Item], *, consistent: bool) -> Cost:
    """A Query (one page): the sizes of the items it read, summed, then rounded up to 4 KB once."""
    return Cost(rcu=read_units(sum(item_size(item) for item in items), consistent=consistent))
