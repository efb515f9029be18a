"""What the SP4N-LAPOR! bridge remembers: how far it has pulled (`pk = LAPOR#BRIDGE`, `sk = CURSOR`), and
which LAPOR! report became which complaint (`pk = LAPOR#<report id>`, `sk = LAPOR`: the guard item
written in the complaint's own transaction, so a report is filed once however often it is pulled)."""

from __future__ import annotations

from typing import Any

from aduan.dal import codec
from aduan.dal.clients import client

BRIDGE_PK, CURSOR_SK, REPORT_SK = "LAPOR#BRIDGE", "CURSOR", "LAPOR"


def report_guard(report_id: str, tracking_code: str, filed_at: str) -> dict[str, Any]:
    return {"pk": f"LAPOR#{report_id}", "sk": REPORT_SK, "kind": "lapor_report", "report_id": report_id,
            "tracking_code": tracking_code, "filed_at": filed_at}


class LaporState:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    def cursor(self) -> str | None:
        found = self._db.get_item(TableName=self.table, Key=codec.to_item({"pk": BRIDGE_PK, "sk": CURSOR_SK}),
                                  ConsistentRead=True)
        item = codec.from_item(found.get("Item") or {})
        return str(item["cursor"]) if item.get("cursor") else None

    def save_cursor(self, cursor: str, saved_at: str) -> None:
        self._db.put_item(TableName=self.table, Item=codec.to_item(
            {"pk": BRIDGE_PK, "sk": CURSOR_SK, "kind": "lapor_cursor", "cursor": cursor, "saved_at": saved_at}))

    def complaint_of(self, report_id: str) -> str | None:
        """The tracking code a LAPOR! report was filed as, if it was."""
        found = self._db.get_item(TableName=self.table,
                                  Key=codec.to_item({"pk": f"LAPOR#{report_id}", "sk": REPORT_SK}))
        item = codec.from_item(found.get("Item") or {})
        return str(item["tracking_code"]) if item.get("tracking_code") else None
