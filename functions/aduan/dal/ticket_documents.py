"""The ticket head as stored, with every attribute (also those other features add, such as
`follower_refs` and `expected_datetime`), for readers that must tolerate fields the model lacks."""

from __future__ import annotations

from typing import Any

from aduan.dal import codec
from aduan.dal.clients import client
from aduan.dal.tickets import HEAD, ticket_pk


def head_document(table_name: str, code: str) -> dict[str, Any] | None:
    found = client("dynamodb").get_item(TableName=table_name, ConsistentRead=True,
                                        Key=codec.to_item({"pk": ticket_pk(code), "sk": HEAD}))
    return codec.from_item(found["Item"]) if "Item" in found else None
