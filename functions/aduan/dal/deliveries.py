"""Delivery records in the tickets table.

  `DLV#<message id>` / `#DELIVERY`        one per outbound message: the exactly-once claim and its outcome
  `PMID#<channel>#<provider id>` / `#MAP`  provider message id -> our message (for status callbacks)
  `LOCAL#OUTBOX` / `<time>#<message id>`   local mode only: what would have been sent (GET /local/outbox)

A delivery's timeline entry is written before its outcome (plain writes: see `finish`), so an outcome never
stands without its entry. The entries are the ticket's delivery log, not domain events: no consumer
subscribes to them, so they are stored without a ticket snapshot and the relay does not publish them.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from botocore.exceptions import ClientError

from aduan.dal import codec
from aduan.dal.clients import client
from aduan.dal.ticket_items import entry_item
from aduan.models.outbound import OutboundMessage
from aduan.models.ticket import TimelineEntry

HEAD = "#DELIVERY"
LOCAL_OUTBOX = "LOCAL#OUTBOX"
# Retention of delivery bookkeeping (the timeline keeps the history for good).
RETENTION_SECONDS = 90 * 24 * 3600


def delivery_key(message_id: str) -> dict[str, Any]:
    return codec.to_item({"pk": f"DLV#{message_id}", "sk": HEAD})


def provider_key(channel: str, provider_message_id: str) -> dict[str, Any]:
    return codec.to_item({"pk": f"PMID#{channel}#{provider_message_id}", "sk": "#MAP"})


class DeliveryRepository:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    def claim(self, message: OutboundMessage, now: str, stale_before: str, expires_at: int) -> int | None:
        """Take the message for sending: the attempt number, or None if it was sent, given up on, or is
        being sent by someone else right now (see `status`). This conditional write is what makes sending
        exactly once.
        Each claim carries its own token: when the SDK retries this very request because the answer to the
        first try was lost (a read timeout after the write was applied), the retry finds its own claim and
        takes it, instead of reading it as another sender's and leaving the message for STALE_CLAIM."""
        try:
            found = self._db.update_item(
                TableName=self.table, Key=delivery_key(message.id),
                UpdateExpression=("SET #s = :sending, claimed_at = :now, claim_id = :claim, "
                                  "attempts = if_not_exists(attempts, :zero) + :one, "
                                  "channel = :channel, audience = :audience, kind = :kind, expires_at = :ttl"
                                  + (", tracking_code = :code" if message.tracking_code else "")),
                ConditionExpression=("attribute_not_exists(pk) OR #s = :retrying "
                                     "OR (#s = :sending AND (claimed_at < :stale OR claim_id = :claim))"),
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=codec.to_item({
                    ":sending": "sending", ":retrying": "retrying", ":now": now, ":stale": stale_before, ":zero": 0,
                    ":one": 1, ":channel": message.channel.value, ":audience": message.audience, ":kind": message.kind,
                    ":ttl": expires_at, ":code": message.tracking_code, ":claim": uuid.uuid4().hex}),
                ReturnValues="ALL_NEW")
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return int(codec.from_item(found["Attributes"])["attempts"])

    def status(self, message_id: str) -> tuple[str | None, str | None]:
        """(status, claimed_at) of a delivery record."""
        found = self._db.get_item(TableName=self.table, Key=delivery_key(message_id), ConsistentRead=True,
                                  ProjectionExpression="#s, claimed_at", ExpressionAttributeNames={"#s": "status"})
        item = codec.from_item(found.get("Item") or {})
        return item.get("status"), item.get("claimed_at")

    def finish(self, message: OutboundMessage, status: str, now: str, fields: dict[str, Any],
               entry: TimelineEntry | None, provider_message_id: str | None) -> None:
        """The outcome: its timeline entry, the provider id map (when sent), then the record's status. Plain
        writes, not a transaction (which charges every item twice), in this order: until the status is
        written the claim stands, so a crash in between leaves the message to be claimed again once the claim
        is stale (the same window as a crash right after the provider took it), and the next attempt writes
        its own entry; a status never stands without its entry."""
        if entry is not None:
            self._db.put_item(TableName=self.table, Item=entry_item(entry, 0, None))
        if provider_message_id:
            self._db.put_item(TableName=self.table, Item={
                **provider_key(message.channel.value, provider_message_id),
                **codec.to_item({"message_id": message.id, "tracking_code": message.tracking_code,
                                 "audience": message.audience, "kind": message.kind,
                                 "message": message.model_dump_json(), "expires_at": fields.get("expires_at")})})
        values = {":s": status, ":now": now, **{f":v{i}": value for i, value in enumerate(fields.values())}}
        names = {"#s": "status", **{f"#f{i}": name for i, name in enumerate(fields)}}
        sets = ", ".join(["#s = :s", "updated_at = :now", *(f"#f{i} = :v{i}" for i in range(len(fields)))])
        self._db.update_item(TableName=self.table, Key=delivery_key(message.id), UpdateExpression=f"SET {sets}",
                             ExpressionAttributeNames=names, ExpressionAttributeValues=codec.to_item(values))

    def by_provider_id(self, channel: str, provider_message_id: str) -> dict[str, Any] | None:
        found = self._db.get_item(TableName=self.table, Key=provider_key(channel, provider_message_id))
        return codec.from_item(found["Item"]) if "Item" in found else None

    def record_status(self, message_id: str, status: str, now: str, entry: TimelineEntry) -> bool:
        """A provider's status callback; False if this exact status was recorded before (a redelivery: the
        entry's id derives from the status, and it is put only if absent). The record's update goes first
        (repeating it changes nothing), so a crash between the two is repaired by the redelivery, which
        then writes the entry and reports the status as new (a failure's fallback is not lost)."""
        self._db.update_item(TableName=self.table, Key=delivery_key(message_id),
                             UpdateExpression="SET provider_status = :p, provider_status_at = :now",
                             ExpressionAttributeValues=codec.to_item({":p": status, ":now": now}))
        try:
            self._db.put_item(TableName=self.table, Item=entry_item(entry, 0, None),
                              ConditionExpression="attribute_not_exists(sk)")
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def sink(self, now: str, message: OutboundMessage, shown: dict[str, Any]) -> None:
        """Local mode: keep what would have gone to the provider, for GET /local/outbox."""
        document = {"pk": LOCAL_OUTBOX, "sk": f"{now}#{message.id}", "message_id": message.id,
                    "request": json.dumps(shown, ensure_ascii=False), "expires_at": None}
        self._db.put_item(TableName=self.table, Item=codec.to_item(document))
