"""What the intake worker decided about one inbound message: kept in its ledger entry (written with the
effect), so a redelivery repeats only the follow-up, from the same outcome."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from aduan.logic.conversation import Conversation
from aduan.models.base import Model
from aduan.models.contact import Language
from aduan.models.inbound import InboundMessage


class Reply(Model):
    kind: str  # the reply template's key (the outbound message's kind is derived from it)
    text: str
    data: dict[str, Any] = Field(default_factory=dict)  # channel extras (e.g. Telegram's callback query id)


class IntakeOutcome(Model):
    move: str  # file, add, ask, status, opt_out, opt_in, refused, not_complaint, feedback, feedback_refused
    language: Language
    replies: list[Reply] = Field(default_factory=list)
    code: str | None = None  # the complaint concerned
    ticket_id: str | None = None  # set when the message's media belong to that complaint
    held: list[InboundMessage] = Field(default_factory=list)  # earlier messages filed with this one
    conversation: Conversation | None = None  # the conversation state to keep (None: unchanged)
    opted_out: bool | None = None  # STOP / START (None: unchanged)
    reason: str | None = None  # why a complaint was refused (blocked, rate_limited)
    answer: str | None = None  # feedback: fixed, not_fixed, rating
    # When the effect was stored: the replies' place on the complaint's timeline (their delivery log entries),
    # the same when a redelivery sends them from this stored outcome.
    at: str | None = None

    def reply(self, kind: str, text: str, **data: Any) -> None:
        self.replies.append(Reply(kind=kind, text=text, data=data))
