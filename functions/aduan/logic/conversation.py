"""How a chat conversation becomes complaints. Pure: the situation in, a plan out.

- A message from a sender with no recent intake files a new complaint; what the same sender sends
  within the grouping window (a photo, then the shared location) is added to that complaint.
- A sender whose complaint waits for their information (need_info) is answering: it is added.
- A sender with an open complaint outside the window is asked: add this to it (1/TAMBAH) or file a
  new one (2/BARU)? The message is held until the answer. Any other answer means "new": the held
  message and the new one become one new complaint.
- STATUS/CEK <code>, STOP/BERHENTI and MULAI/START are commands, never complaints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from aduan.logic.clock import from_storage
from aduan.logic.commands import Command, Keyword, parse
from aduan.logic.status_machine import AGENCY_OPEN, DESK_OPEN, Status
from aduan.logic.text import first_line_title
from aduan.models.inbound import InboundMessage, SharedLocation

GROUPING_WINDOW = timedelta(minutes=10)
OPEN_STATUSES = DESK_OPEN | AGENCY_OPEN | {Status.NEED_INFO}


class Move(StrEnum):
    FILE = "file"  # a new complaint from `messages`
    ADD = "add"  # add `messages` to complaint `code`
    ASK = "ask"  # hold the message, ask "comment or new?" about complaint `code`
    STATUS = "status"  # answer the status of `argument`
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"


@dataclass(frozen=True)
class Conversation:
    """Per-contact state between messages."""

    last_code: str | None = None
    last_at: str | None = None
    pending: InboundMessage | None = None
    pending_code: str | None = None
    # The contact's most recent complaints, newest first (where an open one is looked for); None: not
    # known (a conversation stored before they were kept here).
    open_codes: tuple[str, ...] | None = None


@dataclass(frozen=True)
class OpenTicket:
    code: str
    status: Status


@dataclass(frozen=True)
class Plan:
    move: Move
    messages: list[InboundMessage] = field(default_factory=list)
    code: str | None = None
    argument: str | None = None
    acknowledge: bool = True  # answer the citizen (grouped follow-ups are not answered one by one)


def decide(message: InboundMessage, conversation: Conversation,
           open_ticket: OpenTicket | None | Callable[[], OpenTicket | None],
           now: datetime, window: timedelta = GROUPING_WINDOW) -> Plan:
    """`open_ticket` may be a lookup, called only when the plan depends on it (it costs a read)."""
    command = parse(message.text) if not message.media and message.location is None else None
    if command is not None and command.keyword in (Keyword.STATUS, Keyword.STOP, Keyword.START):
        return _command(command)
    if conversation.pending is not None:
        return _answer(message, command, conversation)
    if conversation.last_code and conversation.last_at and now - from_storage(conversation.last_at) <= window:
        return Plan(Move.ADD, [message], conversation.last_code, acknowledge=False)
    if callable(open_ticket):
        open_ticket = open_ticket()
    if open_ticket is not None and open_ticket.status == Status.NEED_INFO:
        return Plan(Move.ADD, [message], open_ticket.code)  # we asked them for information: this is it
    if open_ticket is not None and command is None:
        return Plan(Move.ASK, [message], open_ticket.code)
    return Plan(Move.FILE, [message])


def _command(command: Command) -> Plan:
    if command.keyword == Keyword.STATUS:
        return Plan(Move.STATUS, argument=command.argument or "")
    return Plan(Move.OPT_OUT if command.keyword == Keyword.STOP else Move.OPT_IN)


def _answer(message: InboundMessage, command: Command | None, conversation: Conversation) -> Plan:
    pending = conversation.pending
    assert pending is not None
    if command is not None and command.keyword == Keyword.ADD and conversation.pending_code:
        return Plan(Move.ADD, [pending], conversation.pending_code)
    if command is not None and command.keyword == Keyword.NEW:
        return Plan(Move.FILE, [pending])
    return Plan(Move.FILE, [pending, message])


def is_open(status: Status) -> bool:
    return status in OPEN_STATUSES


RECENT_CODES = 10  # complaints of one contact looked at for an open one


def with_code(codes: tuple[str, ...] | None, code: str) -> tuple[str, ...]:
    """The contact's recent complaint codes with `code` (just filed or added to) first."""
    return (code, *(known for known in codes or () if known != code))[:RECENT_CODES]


CHANNEL_NAMES = {"whatsapp": "WhatsApp", "telegram": "Telegram", "sms": "SMS", "email": "email",
                 "instagram": "Instagram", "messenger": "Messenger", "x": "X"}


def texts(messages: list[InboundMessage]) -> list[str]:
    return [part for message in messages for part in (message.subject, message.text) if part]


def title_for(messages: list[InboundMessage]) -> str:
    for message in messages:
        for candidate in (message.subject, message.text):
            if candidate and candidate.strip():
                return first_line_title(candidate)
    channel = CHANNEL_NAMES.get(messages[0].channel.value, messages[0].channel.value)
    return f"Aduan via {channel}"


def body_for(messages: list[InboundMessage]) -> str:
    parts = texts(messages)
    media = sum(len(message.media) for message in messages)
    if media:
        parts.append(f"[{media} lampiran / attachment(s)]")
    location = location_of(messages)
    if location is not None:
        label = ", ".join(part for part in (location.name, location.address) if part)
        parts.append(f"[lokasi / location: {location.lat:.6f}, {location.lon:.6f}{' - ' + label if label else ''}]")
    return "\n".join(parts) or "(tanpa teks / no text)"


def location_of(messages: list[InboundMessage]) -> SharedLocation | None:
    found = [message.location for message in messages if message.location is not None]
    return found[-1] if found else None
