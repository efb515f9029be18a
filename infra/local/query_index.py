"""Queries that read one partition, not the whole table.

moto answers every Query by listing and sorting every item of the table, then filtering on the key: a
query's cost grows with the table, so a local stack slowed down with every complaint filed (a trial's table
holds tens of thousands of items). Installed into moto's Table, a base-table query reads only its
partition, and a global secondary index query reads only the items that ever carried its hash value.

Those candidates are kept per index and hash value, added whenever an item is written (put, update,
transaction, restore) and checked against the item's current value at query time, where stale ones are
dropped: the candidates are a superset of the index's partition, so moto's own query logic, given them
instead of the whole table, answers exactly as before. Callers keep DynamoDB requests serialised
(moto_server.DYNAMODB_LOCK).
"""

from __future__ import annotations

import functools
from typing import Any

_MARK = "_aduan_partition_reads"
_CANDIDATES = "_aduan_index_candidates"
Key = tuple[Any, Any]  # (hash DynamoType, range DynamoType or None)


def _hash_attribute(index: Any) -> str | None:
    hashes = [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"]
    return hashes[0] if len(hashes) == 1 else None


def _candidates(table: Any) -> dict[str, dict[Any, dict[Key, None]]]:
    """Built from the items on first use (items written before install included)."""
    found: dict[str, dict[Any, dict[Key, None]]] | None = table.__dict__.get(_CANDIDATES)
    if found is None:
        found = {index.name: {} for index in table.global_indexes if _hash_attribute(index)}
        table.__dict__[_CANDIDATES] = found
        for item in _every_item(table):
            note_item(table, item)
    return found


def _every_item(table: Any) -> list[Any]:
    if table.range_key_attr is None:
        return list(table.items.values())
    return [item for partition in table.items.values() for item in partition.values()]


def note_item(table: Any, item: Any) -> None:
    """Record that `item` (as it is now) belongs under its index hash values."""
    candidates = table.__dict__.get(_CANDIDATES)
    if candidates is None or item is None:
        return
    for index in table.global_indexes:
        attribute = _hash_attribute(index)
        value = item.attrs.get(attribute) if attribute else None
        if value is not None and index.name in candidates:
            candidates[index.name].setdefault(value, {})[(item.hash_key, item.range_key)] = None


def _current(table: Any, key: Key) -> Any:
    partition = table.items.get(key[0])
    if partition is None or table.range_key_attr is None:
        return partition
    return partition.get(key[1])


def _partition(table: Any, hash_key: Any) -> list[Any]:
    partition = table.items.get(hash_key)  # .get: items is a defaultdict, [] would add the partition
    if partition is None:
        return []
    return list(partition.values()) if table.range_key_attr is not None else [partition]


def _index_partition(table: Any, index_name: str, hash_key: Any, conditions: Any) -> list[Any] | None:
    index = next((i for i in table.global_indexes if i.name == index_name), None)
    attribute = _hash_attribute(index) if index is not None else None
    candidates = _candidates(table).get(index_name)
    if attribute is None or candidates is None:
        return None
    wanted = dict(conditions).get(attribute, hash_key) if conditions else hash_key
    if wanted is None:
        return None
    keys = candidates.get(wanted, {})
    items = []
    for key in list(keys):
        item = _current(table, key)
        value = None if item is None else item.attrs.get(attribute)
        # `value is not None` first: moto's DynamoType.__eq__ cannot compare with None (the item left the index).
        if value is not None and value == wanted:
            items.append(item)
        else:
            del keys[key]  # deleted, or moved to another value since
    if not keys:
        candidates.pop(wanted, None)
    return items


def install_partition_reads() -> None:
    """Patch moto's Table.query, Table.put_item and DynamoDBBackend.update_item (idempotent)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    query = Table.query
    if getattr(query, _MARK, False):
        return
    put_item, update_item = Table.put_item, DynamoDBBackend.update_item

    @functools.wraps(query)
    def partition_query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name:
            subset = _index_partition(self, index_name, hash_key, kwargs.get("hash_key_conditions"))
        else:
            subset = _partition(self, hash_key) if hash_key is not None else None
        if subset is None:
            return query(self, hash_key, *args, **kwargs)
        self.all_items = lambda: subset  # what moto's query walks, for this call only
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    @functools.wraps(put_item)
    def noted_put(self: Any, *args: Any, **kwargs: Any) -> Any:
        item = put_item(self, *args, **kwargs)
        note_item(self, item)
        return item

    @functools.wraps(update_item)
    def noted_update(self: Any, *args: Any, **kwargs: Any) -> Any:
        item = update_item(self, *args, **kwargs)
        note_item(self.get_table(args[0] if args else kwargs["table_name"]), item)
        return item

    setattr(partition_query, _MARK, True)
    Table.query = partition_query  # type: ignore[method-assign]
    Table.put_item = noted_put  # type: ignore[method-assign]
    DynamoDBBackend.update_item = noted_update  # type: ignore[method-assign]
