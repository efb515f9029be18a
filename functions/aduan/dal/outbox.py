"""Recorded outbound messages: `pk = OUT#<message id>`, `sk = #MSG`, put only if absent, so a
message produced twice (a redelivered cause) is recorded once; it is read back by its deterministic id."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from aduan.dal import codec
from aduan.dal.clients import client
from aduan.models.outbound import OutboundMessage

HEAD = "#MSG"


def message_key(message_id: str) -> dict[str, str]:
    return {"pk": f"OUT#{message_id}", "sk": HEAD}


class OutboxRepository:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    def record(self, message: OutboundMessage, state: str, recorded_at: str) -> bool:
        """False if this message id was recorded before."""
        document = {**message_key(message.id), "kind": "outbound", "state": state, "recorded_at": recorded_at,
                    **message.model_dump(mode="json")}
        try:
            self._db.put_item(TableName=self.table, Item=codec.to_item(document),
                              ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get(self, message_id: str) -> dict[str, Any] | None:
        found = self._db.get_item(TableName=self.table, Key=codec.to_item(message_key(message_id)),
                                  ConsistentRead=True)
        return codec.from_item(found["Item"]) if found.get("Item") else None
