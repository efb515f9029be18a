"""Intake bookkeeping in the tickets table.

`IN#<inbound id>` / `#IN`   the ledger entry of one inbound message: written in the same transaction
                            as its effect (the guard), holding the outcome; `done` once the replies
                            and the conversation state are written. A redelivery finds it and stops.
`C#<contact id>` / `#CONV`  the conversation with one contact (last complaint, held message).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from aduan.dal import codec
from aduan.dal.abuse import block_key, rate_key
from aduan.dal.clients import client
from aduan.dal.contacts import contact_key, contact_pk
from aduan.dal.tickets import batch_get, transact
from aduan.logic.conversation import Conversation
from aduan.models.abuse import BlockedSender
from aduan.models.contact import Contact
from aduan.models.inbound import InboundMessage
from aduan.models.intake import IntakeOutcome

LEDGER = "#IN"
CONVERSATION = "#CONV"
LEDGER_DAYS = 30


def ledger_key(inbound_id: str) -> dict[str, str]:
    return {"pk": f"IN#{inbound_id}", "sk": LEDGER}


def ledger_item(inbound_id: str, outcome: IntakeOutcome, expires_at: int, done: bool = False) -> dict[str, Any]:
    """`done` already when nothing follows the effect (no reply to send, no media to attach)."""
    return {**ledger_key(inbound_id), "kind": "inbound", "outcome": outcome.model_dump(mode="json"), "done": done,
            "expires_at": expires_at}


def conversation_key(contact_id: str) -> dict[str, str]:
    return {"pk": contact_pk(contact_id), "sk": CONVERSATION}


def _conversation(document: dict[str, Any] | None) -> Conversation:
    if not document:
        return Conversation()
    pending = document.get("pending")
    codes = document.get("open_codes")
    return Conversation(last_code=document.get("last_code"), last_at=document.get("last_at"),
                        pending=InboundMessage.model_validate(pending) if pending else None,
                        pending_code=document.get("pending_code"),
                        open_codes=tuple(codes) if codes is not None else None)


@dataclass(frozen=True)
class Known:
    """What the worker knows before acting on one message, read in one BatchGetItem."""

    ledger: dict[str, Any] | None  # this message's ledger entry: handled before (or being handled)
    contact: Contact | None
    conversation: Conversation
    blocked: BlockedSender | None  # the sender's block list entry (active or lifted), if any
    counters: dict[str, Any]  # the sender's rate counters of the day (`n`, `h<HH>`; empty when none yet)


class IntakeState:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    def known(self, inbound_id: str, contact_id: str, day: str) -> Known:
        keys = {"ledger": ledger_key(inbound_id), "contact": contact_key(contact_id),
                "conversation": conversation_key(contact_id), "blocked": block_key(contact_id),
                "counters": rate_key(contact_id, day)}
        found = {(document["pk"], document["sk"]): document
                 for document in batch_get(self._db, self.table, [codec.to_item(key) for key in keys.values()],
                                           consistent=True)}
        item = {name: found.get((key["pk"], key["sk"])) for name, key in keys.items()}
        return Known(ledger=item["ledger"],
                     contact=Contact.model_validate(item["contact"]) if item["contact"] else None,
                     conversation=_conversation(item["conversation"]),
                     blocked=BlockedSender.model_validate(item["blocked"]) if item["blocked"] else None,
                     counters=item["counters"] or {})

    def ledger(self, inbound_id: str) -> dict[str, Any] | None:
        found = self._db.get_item(TableName=self.table, Key=codec.to_item(ledger_key(inbound_id)),
                                  ConsistentRead=True)
        return codec.from_item(found["Item"]) if found.get("Item") else None

    def record(self, item: dict[str, Any], also: Sequence[dict[str, Any]] = ()) -> bool:
        """Put a ledger entry unless one exists, with `also` (transaction items: the message's bookkeeping) in
        the same transaction; False if the message was handled before."""
        guard = {"Put": {"TableName": self.table, "Item": codec.to_item(item),
                         "ConditionExpression": "attribute_not_exists(pk)"}}
        try:
            transact(self._db, [guard, *also])
        except ClientError as error:
            reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException" \
                    or reasons[:1] == ["ConditionalCheckFailed"]:
                return False
            raise
        return True

    def finish(self, inbound_id: str, also: Sequence[dict[str, Any]] = ()) -> None:
        """Mark the ledger entry done, with `also` (transaction items: e.g. the message's attachment records)."""
        done = {"TableName": self.table, "Key": codec.to_item(ledger_key(inbound_id)),
                "UpdateExpression": "SET done = :done", "ExpressionAttributeValues": codec.to_item({":done": True})}
        if also:
            transact(self._db, [{"Update": done}, *also])
        else:
            self._db.update_item(**done)

    def conversation_write(self, contact_id: str, conversation: Conversation) -> dict[str, Any]:
        """The conversation state as a transaction item (stored with the message's effect)."""
        document = {**conversation_key(contact_id), "kind": "conversation",
                    "last_code": conversation.last_code, "last_at": conversation.last_at,
                    "pending": conversation.pending.model_dump(mode="json") if conversation.pending else None,
                    "pending_code": conversation.pending_code,
                    "open_codes": list(conversation.open_codes) if conversation.open_codes is not None else None}
        return {"Put": {"TableName": self.table, "Item": codec.to_item(document)}}
