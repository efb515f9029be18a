"""TransactWriteItems without table copies: an undo journal of the touched items.

moto backs every TransactWriteItems up by deep-copying each table it touches (items and stream records)
and swaps the copies in when a condition fails. The cost grows with the table, on every transaction:
local mode went from 12 ms per 12-item transaction on an empty table to almost a second at 4,000 items,
and its memory churned by the table's size per call. Installed into moto's DynamoDB backend, the journal
instead keeps a copy of each item the transaction names (at most 100) and where each touched table's
stream ended; on failure it puts those items back and drops the stream records written since.
Secondary indexes need nothing: moto derives them from the items at query time.
Callers must keep DynamoDB requests serialised (moto_server.DYNAMODB_LOCK), as moto's own rollback did.
"""

from __future__ import annotations

import copy
import functools
import types
from dataclasses import dataclass
from typing import Any

from infra.local.query_index import note_item

_MARK = "_aduan_undo_journal"


@dataclass
class _Touched:
    table: Any  # moto Table
    hash_value: Any  # moto DynamoType
    range_value: Any | None
    before: Any | None  # a copy of the moto Item, None when it did not exist
    hash_existed: bool


class UndoJournal:
    """What one transaction may change, recorded before it runs."""

    def __init__(self, backend: Any, transact_items: list[dict[str, Any]]) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        self._touched: list[_Touched] = []
        self._stream_ends: dict[str, tuple[Any, int]] = {}
        for entry in transact_items:
            if len(entry) != 1:
                continue  # moto rejects it before writing anything
            op_type, op = next(iter(entry.items()))
            table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
            if table is None:
                continue
            key = op.get("Item") if op_type == "Put" else op.get("Key")
            if not isinstance(key, dict) or table.hash_key_attr not in key:
                continue
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = None
            if table.range_key_attr is not None:
                if table.range_key_attr not in key:
                    continue
                range_value = DynamoType(key[table.range_key_attr])
            current = table.get_item(hash_value, range_value)
            self._touched.append(_Touched(table, hash_value, range_value, copy.deepcopy(current),
                                          hash_value in table.items))
            if table.stream_shard is not None and table.name not in self._stream_ends:
                self._stream_ends[table.name] = (table.stream_shard, len(table.stream_shard.items))

    def undo(self) -> None:
        # Reversed, so that an item named twice (which moto refuses) still ends as it began.
        for touched in reversed(self._touched):
            items = touched.table.items
            if touched.range_value is None:
                if touched.before is None:
                    items.pop(touched.hash_value, None)
                else:
                    items[touched.hash_value] = touched.before
                    note_item(touched.table, touched.before)
                continue
            if touched.before is None:
                items.get(touched.hash_value, {}).pop(touched.range_value, None)
                if not touched.hash_existed and not items.get(touched.hash_value):
                    items.pop(touched.hash_value, None)
            else:
                items[touched.hash_value][touched.range_value] = touched.before
            note_item(touched.table, touched.before)  # its index values may have been moved off it
        for shard, end in self._stream_ends.values():
            del shard.items[end:]


class _TablesAsIs(types.ModuleType):
    """The `copy` module as moto's DynamoDB code sees it: deepcopy leaves tables alone (the journal
    makes their backup), anything else is copied as usual."""

    def __init__(self) -> None:
        super().__init__("copy")
        self.copy = copy.copy

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def install_undo_journal() -> None:
    """Replace moto's table-copying rollback with the journal (idempotent, process-wide)."""
    import moto.dynamodb.models as models

    backend_class = models.DynamoDBBackend
    original = backend_class.transact_write_items
    if getattr(original, _MARK, False):
        return
    models.copy = _TablesAsIs()

    @functools.wraps(original)
    def journaled(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        journal = UndoJournal(self, transact_items)
        try:
            return original(self, transact_items)
        except Exception:
            # moto "restored" each table from the backup it took, which is now the live table itself.
            journal.undo()
            raise

    setattr(journaled, _MARK, True)
    backend_class.transact_write_items = journaled  # type: ignore[method-assign]
