"""Abuse protection in the tickets table.

  `pk = BLOCKLIST`, `sk = S#<sender ref>`        one block entry per sender (kept when lifted: history)
  `pk = RATE#<sender ref>`, `sk = D#<yyyy-mm-dd>`  that day's counters: `n` for the day, `h<HH>` per hour;
                                                   expires (TTL `expires_at`) two days later
  `pk = QUOTA#<what>#<whose>`, `sk = <window>`      one counter `n` (comments on a complaint, a citizen's
                                                   uploads this hour); hourly ones expire
"""

from __future__ import annotations

from typing import Any

from aduan.dal import codec
from aduan.dal.clients import client
from aduan.dal.tickets import decode_cursor, encode_cursor
from aduan.models.abuse import BlockedSender

BLOCKLIST = "BLOCKLIST"


def block_key(sender_ref: str) -> dict[str, str]:
    return {"pk": BLOCKLIST, "sk": f"S#{sender_ref}"}


def rate_key(sender_ref: str, day: str) -> dict[str, str]:
    return {"pk": f"RATE#{sender_ref}", "sk": f"D#{day}"}


class AbuseStore:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    def blocked(self, sender_ref: str) -> BlockedSender | None:
        found = self._db.get_item(TableName=self.table, Key=codec.to_item(block_key(sender_ref)))
        return BlockedSender.model_validate(codec.from_item(found["Item"])) if found.get("Item") else None

    def put_block(self, entry: BlockedSender) -> None:
        document = {**block_key(entry.sender_ref), "entity": "blocked_sender",
                    **entry.model_dump(mode="json")}
        self._db.put_item(TableName=self.table, Item=codec.to_item(document))

    def list_blocked(self, limit: int, cursor: str | None) -> tuple[list[BlockedSender], str | None]:
        request: dict[str, Any] = {"TableName": self.table, "KeyConditionExpression": "pk = :pk",
                                   "ExpressionAttributeValues": codec.to_item({":pk": BLOCKLIST}),
                                   "Limit": max(1, min(limit, 100))}
        start = decode_cursor(cursor)
        if start:
            request["ExclusiveStartKey"] = start
        found = self._db.query(**request)
        entries = [BlockedSender.model_validate(codec.from_item(raw)) for raw in found.get("Items", [])]
        return entries, encode_cursor(found.get("LastEvaluatedKey"))

    def count(self, sender_ref: str, day: str, hour: str, expires_at: int) -> tuple[int, int]:
        """Add one to the sender's counters of this day and hour; (day total, hour total) after it."""
        answer = self._db.update_item(**self.count_write(sender_ref, day, hour, expires_at)["Update"],
                                      ReturnValues="UPDATED_NEW")
        counters = codec.from_item(answer["Attributes"])
        return int(counters["n"]), int(counters[f"h{hour}"])

    def count_write(self, sender_ref: str, day: str, hour: str, expires_at: int) -> dict[str, Any]:
        """`count` as a transaction item, for a caller that read the counters before (`rate_key`)."""
        return {"Update": {
            "TableName": self.table, "Key": codec.to_item(rate_key(sender_ref, day)),
            "UpdateExpression": "ADD n :one, #hour :one SET expires_at = :expires",
            "ExpressionAttributeNames": {"#hour": f"h{hour}"},
            "ExpressionAttributeValues": codec.to_item({":one": 1, ":expires": expires_at})}}

    def bump(self, key: str, window: str, expires_at: int | None) -> int:
        """Add one to a quota counter; its value after."""
        values: dict[str, Any] = {":one": 1}
        expression = "ADD n :one"
        if expires_at is not None:
            expression += " SET expires_at = :expires"
            values[":expires"] = expires_at
        answer = self._db.update_item(
            TableName=self.table, Key=codec.to_item({"pk": f"QUOTA#{key}", "sk": window}),
            UpdateExpression=expression, ExpressionAttributeValues=codec.to_item(values), ReturnValues="UPDATED_NEW")
        return int(codec.from_item(answer["Attributes"])["n"])
