"""The question "is it fixed?" pending for one citizen: `pk = C#<contact id>`, `sk = #FEEDBACK`.

One per contact (the latest resolved complaint); it expires with the reopen window (TTL `expires_at`,
and checked on read since TTL deletes lazily)."""

from __future__ import annotations

from typing import Any

from aduan.dal import codec
from aduan.dal.clients import client
from aduan.dal.contacts import contact_pk

PENDING = "#FEEDBACK"


class FeedbackStore:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    def ask(self, contact_id: str, code: str, asked_at: str, expires_at: int) -> None:
        item = {"pk": contact_pk(contact_id), "sk": PENDING, "kind": "feedback_question", "code": code,
                "asked_at": asked_at, "expires_at": expires_at}
        self._db.put_item(TableName=self.table, Item=codec.to_item(item))

    def pending(self, contact_id: str, now: float) -> str | None:
        """The tracking code the citizen was asked about, if the question is still open."""
        key = codec.to_item({"pk": contact_pk(contact_id), "sk": PENDING})
        found = self._db.get_item(TableName=self.table, Key=key)
        item = codec.from_item(found.get("Item") or {})
        if not item or int(item.get("expires_at") or 0) < now:
            return None
        return str(item["code"])
