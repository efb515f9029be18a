"""Delivery records in the tickets table.

  `T#<code>` / `EV#<caused at>#9#ntf_<…>`  a message about a ticket: its delivery log entry on the ticket's
                                          timeline IS its exactly-once claim and outcome (two writes a message)
  `DLV#<message id>` / `#DELIVERY`        any other message (no ticket, or no place on its timeline): the claim
                                          and outcome; its log entry, if any, is written beside it
  `PMID#<channel>#<provider id>` / `#MAP`  provider message id -> our message, for status callbacks of providers
                                          that do not echo our reference (and for a fallback after a late failure)
  `LOCAL#OUTBOX` / `<time>#<message id>`   local mode only: what would have been sent (GET /local/outbox)

Log entries are the ticket's delivery log, not domain events: no consumer subscribes to them, so they are
stored without a ticket snapshot (`entity` `log`) and the relay does not publish them.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from botocore.exceptions import ClientError

from aduan.dal import codec
from aduan.dal.clients import client
from aduan.dal.ticket_items import EVENT_PREFIX, entry_item, ticket_pk
from aduan.models.outbound import OutboundMessage
from aduan.models.ticket import TimelineEntry

HEAD = "#DELIVERY"
LOCAL_OUTBOX = "LOCAL#OUTBOX"
# Retention of delivery bookkeeping (the timeline keeps the history for good).
RETENTION_SECONDS = 90 * 24 * 3600
LOG_INDEX = 9  # after the entries of the change that caused the message, at the same time


def delivery_key(message_id: str) -> dict[str, Any]:
    return codec.to_item({"pk": f"DLV#{message_id}", "sk": HEAD})


def provider_key(channel: str, provider_message_id: str) -> dict[str, Any]:
    return codec.to_item({"pk": f"PMID#{channel}#{provider_message_id}", "sk": "#MAP"})


def record_key(message: OutboundMessage, entry: TimelineEntry | None) -> dict[str, Any]:
    """Where a message's claim and outcome live: its log entry when it has one with a fixed place on the
    timeline (`caused_at`: the same key on every redelivery), else its `DLV#` record."""
    if entry is None or message.caused_at is None:
        return delivery_key(message.id)
    return codec.to_item({"pk": ticket_pk(entry.tracking_code),
                          "sk": f"{EVENT_PREFIX}{message.caused_at}#{LOG_INDEX}#{entry.event_id}"})


def _is_entry(key: dict[str, Any]) -> bool:
    return not key["pk"]["S"].startswith("DLV#")


def _entry_fields(entry: TimelineEntry) -> dict[str, Any]:
    return {name: value for name, value in codec.from_item(entry_item(entry, 0, None)).items()
            if name not in ("pk", "sk")}


def _assignments(fields: dict[str, Any], prefix: str) -> tuple[list[str], dict[str, str], dict[str, Any]]:
    """`SET` clauses for `fields`, with their attribute names and values (placeholders under `prefix`)."""
    names = {f"#{prefix}{i}": name for i, name in enumerate(fields)}
    values = {f":{prefix}{i}": value for i, value in enumerate(fields.values())}
    return [f"#{prefix}{i} = :{prefix}{i}" for i in range(len(fields))], names, values


class DeliveryRepository:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    def claim(self, message: OutboundMessage, now: str, stale_before: str, expires_at: int,
              entry: TimelineEntry | None = None) -> int | None:
        """Take the message for sending: the attempt number, or None if it was sent, given up on, or is
        being sent by someone else right now (see `status`). This conditional write is what makes sending
        exactly once. With `entry` (the message's log entry, "sending"), the claim is that entry.
        Each claim carries its own token: when the SDK retries this very request because the answer to the
        first try was lost (a read timeout after the write was applied), the retry finds its own claim and
        takes it, instead of reading it as another sender's and leaving the message for STALE_CLAIM."""
        key = record_key(message, entry)
        if _is_entry(key) and entry is not None:
            fields = _entry_fields(entry)
        else:
            fields = {"channel": message.channel.value, "audience": message.audience, "kind": message.kind,
                      "expires_at": expires_at, **({"tracking_code": message.tracking_code}
                                                   if message.tracking_code else {})}
        sets, names, values = _assignments(fields, "f")
        try:
            found = self._db.update_item(
                TableName=self.table, Key=key,
                UpdateExpression=("SET #s = :sending, claimed_at = :now, claim_id = :claim, "
                                  "attempts = if_not_exists(attempts, :zero) + :one, " + ", ".join(sets)),
                ConditionExpression=("attribute_not_exists(pk) OR #s = :retrying "
                                     "OR (#s = :sending AND (claimed_at < :stale OR claim_id = :claim))"),
                ExpressionAttributeNames={"#s": "status", **names},
                ExpressionAttributeValues=codec.to_item({
                    ":sending": "sending", ":retrying": "retrying", ":now": now, ":stale": stale_before, ":zero": 0,
                    ":one": 1, ":claim": uuid.uuid4().hex, **values}),
                ReturnValues="UPDATED_NEW")
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return int(codec.from_item(found["Attributes"])["attempts"])

    def status(self, message: OutboundMessage, entry: TimelineEntry | None = None) -> tuple[str | None, str | None]:
        """(status, claimed_at) of a message's record."""
        found = self._db.get_item(TableName=self.table, Key=record_key(message, entry), ConsistentRead=True,
                                  ProjectionExpression="#s, claimed_at", ExpressionAttributeNames={"#s": "status"})
        item = codec.from_item(found.get("Item") or {})
        return item.get("status"), item.get("claimed_at")

    def finish(self, message: OutboundMessage, status: str, now: str, fields: dict[str, Any],
               entry: TimelineEntry | None, provider_message_id: str | None, mapped: bool = True) -> None:
        """The outcome: the provider id map (when sent and `mapped`), then the record's status — the log
        entry itself, rewritten with the outcome, or the `DLV#` record after its entry. Plain writes, not a
        transaction (which charges every item twice), in this order: until the status is written the claim
        stands, so a crash in between leaves the message to be claimed again once the claim is stale (the
        same window as a crash right after the provider took it); a status never stands without its entry."""
        key = record_key(message, entry)
        if provider_message_id and mapped:
            self._db.put_item(TableName=self.table, Item={
                **provider_key(message.channel.value, provider_message_id),
                **codec.to_item({"message_id": message.id, "tracking_code": message.tracking_code,
                                 "audience": message.audience, "kind": message.kind,
                                 "message": message.model_dump_json(), "expires_at": fields.get("expires_at")})})
        if _is_entry(key) and entry is not None:
            # The entry's own fields say provider, attempt and error (redacted for a citizen).
            fields = {**_entry_fields(entry), **({"provider_message_id": provider_message_id}
                                                 if provider_message_id else {})}
        elif entry is not None:
            self._db.put_item(TableName=self.table, Item=entry_item(entry, 0, None))
        sets, names, values = _assignments(fields, "f")
        self._db.update_item(TableName=self.table, Key=key,
                             UpdateExpression="SET " + ", ".join(["#s = :s", "updated_at = :now", *sets]),
                             ExpressionAttributeNames={"#s": "status", **names},
                             ExpressionAttributeValues=codec.to_item({":s": status, ":now": now, **values}))

    def by_provider_id(self, channel: str, provider_message_id: str) -> dict[str, Any] | None:
        found = self._db.get_item(TableName=self.table, Key=provider_key(channel, provider_message_id))
        return codec.from_item(found["Item"]) if "Item" in found else None

    def record_status(self, entry: TimelineEntry) -> bool:
        """A provider's status callback: its log entry, one plain put (the entry's key derives from the
        status, so a redelivery rewrites the same item); False if it was there before (a redelivery: its
        failure's fallback was already handed on). The old item comes back with the put, at no read cost."""
        found = self._db.put_item(TableName=self.table, Item=entry_item(entry, 0, None), ReturnValues="ALL_OLD")
        return not found.get("Attributes")

    def sink(self, now: str, message: OutboundMessage, shown: dict[str, Any]) -> None:
        """Local mode: keep what would have gone to the provider, for GET /local/outbox."""
        document = {"pk": LOCAL_OUTBOX, "sk": f"{now}#{message.id}", "message_id": message.id,
                    "request": json.dumps(shown, ensure_ascii=False), "expires_at": None}
        self._db.put_item(TableName=self.table, Item=codec.to_item(document))
