"""The intake worker's use case: one inbound message -> its effect, exactly once, then the replies.

1. One BatchGetItem reads all the worker knows: the ledger entry `IN#<inbound id>`, the contact, the
   conversation (with the contact's recent complaint codes, so an open complaint is found without an
   index Query), the block list entry and the day's rate counters.
2. The ledger entry is written together with the effect (in the ticket's own transaction when a ticket
   changes) and with the message's bookkeeping: the contact (language, last inbound time, opt-out), the
   conversation state and the rate counter. It holds the outcome: the replies and what is left to do.
   A redelivery that finds the entry `done` stops; one that finds it unfinished (the worker died after the
   effect) redoes only what follows the effect, which is idempotent.
3. What follows: attach the media, hand the replies to the outbound port, mark the entry done (an entry with
   nothing to follow is written done at once).

A first WhatsApp message costs 4 AWS calls (5 on a cold worker, which reads the city configuration):
the read, the transaction, the reply, the `done` flag. See tests/integration/test_channel_intake.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from aduan.adapters.channels.email import read_mime
from aduan.dal import inbound_store
from aduan.dal.contacts import ContactRepository
from aduan.dal.intake_state import LEDGER_DAYS, IntakeState, Known, ledger_item
from aduan.dal.tickets import GuardTaken, TicketRepository
from aduan.logic import clock, complaint_types, ids, lifecycle, non_complaints
from aduan.logic.access import Principal
from aduan.logic.conversation import (
    GROUPING_WINDOW,
    Conversation,
    Move,
    OpenTicket,
    Plan,
    body_for,
    decide,
    is_open,
    location_of,
    title_for,
    with_code,
)
from aduan.logic.language import detect
from aduan.logic.replies import render, status_name
from aduan.logic.status_machine import Role
from aduan.models.config import CityConfig
from aduan.models.contact import Contact, Language, contact_id
from aduan.models.inbound import InboundMessage
from aduan.models.intake import IntakeOutcome, Reply
from aduan.models.outbound import OutboundMessage, OutboundPort, message_id
from aduan.models.ticket import Attachment, Location, Reporter, Ticket
from aduan.observability import logger, metrics
from aduan.services.abuse import AbuseGuard
from aduan.services.feedback import FeedbackService
from aduan.services.media import MediaAttacher

# The sender honours opted_out for every message except the STOP confirmation itself (by this kind).
REPLY_KINDS = {"opted_out": "stop_confirmation"}
OPEN_LOOKUP = 10
Write = dict[str, Any]  # a transaction item built by the data-access layer


@dataclass
class Handling:
    """One message being handled: what was read for it, and what its handling learned on the way."""

    message: InboundMessage
    contact: Contact
    known: Known
    now: datetime
    tickets: dict[str, Ticket] = field(default_factory=dict)  # read while looking for an open complaint
    recent: tuple[str, ...] | None = None  # the contact's recent complaint codes (None: not known)
    counted: Write | None = None  # the rate counter's write, when a complaint was asked for


@dataclass
class IntakeService:
    tickets: TicketRepository
    contacts: ContactRepository
    state: IntakeState
    outbound: Callable[[], OutboundPort]
    config: Callable[[], CityConfig]
    media: MediaAttacher | None = None
    guard: AbuseGuard | None = None
    feedback: FeedbackService | None = None

    def handle(self, message: InboundMessage) -> str:
        now = clock.now()
        known = self.state.known(message.id, contact_id(message.channel, message.sender),
                                 now.astimezone(UTC).strftime("%Y-%m-%d"))
        ledger = known.ledger
        if ledger is None:
            message = self._hydrate(message)
            handling = Handling(message, self._contact(message, known.contact), known, now,
                                recent=() if known.contact is None else known.conversation.open_codes)
            try:
                outcome = self._act(handling)
            except GuardTaken:  # handled concurrently: follow the stored outcome
                ledger = self.state.ledger(message.id)
                assert ledger is not None
        if ledger is not None:
            if ledger.get("done"):
                metrics.add_metric(name="InboundDuplicates", unit=MetricUnit.Count, value=1)
                return "duplicate"
            message = self._hydrate(message)
            outcome = IntakeOutcome.model_validate(ledger["outcome"])
        if self._follows(message, outcome):
            attachments = self._follow_up(message, contact_id(message.channel, message.sender), outcome)
            self.state.finish(message.id, also=[self.tickets.attachment_write(found) for found in attachments])
        metrics.add_metric(name=f"Intake_{outcome.move}", unit=MetricUnit.Count, value=1)
        return outcome.move

    # ------------------------------------------------------------------ deciding and acting
    def _act(self, handling: Handling) -> IntakeOutcome:
        message, contact, now = handling.message, handling.contact, handling.now
        conversation = handling.known.conversation
        language: Language = detect(" ".join(part for part in (message.subject, message.text) if part)) \
            or contact.language
        if self.feedback is not None and conversation.pending is None:
            # An answer to "is it fixed?" (a button, or a keyword while asked) is not a complaint.
            answered = self.feedback.answer(message, contact, language, now,
                                            lambda result: (self._ledger(handling, result),
                                                            self._bookkeeping(handling, result)))
            if answered is not None:
                return answered.outcome if answered.saved else self._recorded(handling, answered.outcome)
        not_complaint = non_complaints.verdict(message)
        if not_complaint is not None:  # a sticker, an emoji, a shared contact…: a word back, no complaint
            text = non_complaints.reply(not_complaint, message.channel, language)
            outcome = IntakeOutcome(move="not_complaint", language=language)
            outcome.reply(not_complaint, text)
            return self._recorded(handling, outcome)
        plan = decide(message, conversation, lambda: self._open_ticket(handling), now)
        outcome = IntakeOutcome(move=plan.move.value, language=language)
        if plan.move == Move.FILE:
            refused = self._refusal(handling, language)
            if refused is None:
                return self._file(handling, plan, outcome)
            # Blocked or over the limit: tell them politely and create nothing (the messages are dropped).
            outcome.move, outcome.reason = "refused", refused[0]
            outcome.reply("refused", refused[1])
        elif plan.move == Move.ADD:
            return self._add(handling, plan, outcome)
        elif plan.move == Move.ASK:
            ticket = handling.tickets.get(plan.code or "") or self.tickets.get(plan.code or "")
            state = status_name(ticket.status.value if ticket else "received", language)
            self._reply(outcome, "ask_comment_or_new", code=plan.code, status=state)
            outcome.conversation = Conversation(conversation.last_code, conversation.last_at, pending=message,
                                                pending_code=plan.code)
        elif plan.move == Move.STATUS:
            self._status(plan, outcome, language)
        else:
            outcome.opted_out = plan.move == Move.OPT_OUT
            self._reply(outcome, "opted_out" if plan.move == Move.OPT_OUT else "opted_in")
        return self._recorded(handling, outcome)

    def _recorded(self, handling: Handling, outcome: IntakeOutcome) -> IntakeOutcome:
        """An outcome that changes no ticket: its ledger entry alone guards against doing it twice."""
        if not self.state.record(self._ledger(handling, outcome), also=self._bookkeeping(handling, outcome)):
            raise GuardTaken(handling.message.id)
        return outcome

    def _ledger(self, handling: Handling, outcome: IntakeOutcome) -> Write:
        outcome.at = clock.to_storage(handling.now)
        return ledger_item(handling.message.id, outcome, _expiry(handling.now),
                           done=not self._follows(handling.message, outcome))

    def _follows(self, message: InboundMessage, outcome: IntakeOutcome) -> bool:
        """Whether anything is left after the effect: replies to send or media to attach."""
        return bool(outcome.replies) or self._attaches(message, outcome)

    def _attaches(self, message: InboundMessage, outcome: IntakeOutcome) -> bool:
        return self.media is not None and bool(outcome.ticket_id and outcome.code) and any(
            source.media for source in (message, *outcome.held))

    def _bookkeeping(self, handling: Handling, outcome: IntakeOutcome) -> list[Write]:
        """The writes stored with the message's effect: the contact (written once, even when new), the
        conversation state (with the recent complaint codes) and the rate counter."""
        message, contact, known = handling.message, handling.contact, handling.known
        fields: dict[str, Any] = {"language": outcome.language, "last_inbound_at": message.received_at,
                                  "provider": message.provider, "updated_at": clock.to_storage(clock.now())}
        if message.sender_name:
            fields["display_name"] = message.sender_name
        if outcome.opted_out is not None:
            fields["opted_out"] = outcome.opted_out
        writes = [self.contacts.put_write(contact.model_copy(update=fields)) if known.contact is None
                  else self.contacts.update_write(contact.id, **fields)]
        recent = handling.recent
        if recent is not None and outcome.ticket_id and outcome.code and outcome.move in (Move.FILE, Move.ADD):
            recent = with_code(recent, outcome.code)  # (not known: left to the reporter index, as before)
        if outcome.conversation is not None or recent != known.conversation.open_codes:
            conversation = outcome.conversation or known.conversation
            writes.append(self.state.conversation_write(contact.id, replace(conversation, open_codes=recent)))
        if handling.counted is not None:
            writes.append(handling.counted)
        return writes

    def _refusal(self, handling: Handling, language: Language) -> tuple[str, str] | None:
        """(reason, reply text) when the abuse guard refuses this sender a new complaint."""
        if self.guard is None:
            return None
        known = handling.known
        admission, handling.counted = self.guard.admit_read(handling.contact.id, handling.now, known.blocked,
                                                            known.counters)
        if admission.allowed:
            return None
        text = admission.reply_en if language == "en" else admission.reply_id
        return admission.reason or "refused", text or ""

    def _file(self, handling: Handling, plan: Plan, outcome: IntakeOutcome) -> IntakeOutcome:
        message, contact, now = handling.message, handling.contact, handling.now
        config = self.config()
        shared = location_of(plan.messages)
        draft = lifecycle.Draft(
            title=title_for(plan.messages), text=body_for(plan.messages), channel=message.channel,
            reporter=Reporter(ref=contact.id, name=contact.display_name, contact=contact.address),
            location=Location(lat=shared.lat, lon=shared.lon, address=shared.address or shared.name)
            if shared else None,
            complaint_type=complaint_types.from_words(body_for(plan.messages), config.settings.type_keywords),
        )
        prefix = config.settings.tracking_prefix

        def ledger(change: lifecycle.Change) -> Write:  # the outcome names the code finally drawn
            code = change.ticket.tracking_code
            outcome.code, outcome.ticket_id, outcome.replies = code, change.ticket.id, []
            outcome.held, outcome.conversation = _others(plan, message), Conversation(code, clock.to_storage(now))
            name = f", {contact.display_name}" if contact.display_name else ""
            self._reply(outcome, "filed", code=code, name=name, window=int(GROUPING_WINDOW.total_seconds() // 60))
            return self._ledger(handling, outcome)

        # save_new builds the ledger entry first: the bookkeeping is of the outcome it completed.
        self.tickets.save_new(lifecycle.open_ticket(draft, _principal(contact), prefix, now), prefix, guard=ledger,
                              also=lambda _: self._bookkeeping(handling, outcome))
        return outcome

    def _add(self, handling: Handling, plan: Plan, outcome: IntakeOutcome) -> IntakeOutcome:
        message, contact, now = handling.message, handling.contact, handling.now
        ticket = handling.tickets.get(plan.code or "") or self.tickets.get(plan.code or "")
        if ticket is None or not is_open(ticket.status):
            return self._file(handling, Plan(Move.FILE, plan.messages), outcome)
        config = self.config()
        change = lifecycle.comment(ticket, body_for(plan.messages), _principal(contact), False,
                                   lifecycle.Policy.of(config), now)
        change = _with_location(change, ticket, plan, now)
        outcome.code, outcome.ticket_id, outcome.held = ticket.tracking_code, ticket.id, _others(plan, message)
        outcome.conversation = Conversation(ticket.tracking_code, clock.to_storage(now))
        if plan.acknowledge:
            self._reply(outcome, "added", code=ticket.tracking_code)
        self.tickets.save(change, guard=self._ledger(handling, outcome), also=self._bookkeeping(handling, outcome))
        return outcome

    def _status(self, plan: Plan, outcome: IntakeOutcome, language: Language) -> None:
        config = self.config()
        code = ids.normalise_tracking_code(plan.argument or "", config.settings.tracking_prefix)
        ticket = self.tickets.get(code) if code else None
        if ticket is None:
            self._reply(outcome, "status_unknown", code=(plan.argument or "").upper() or "-")
            return
        updated = clock.for_display(ticket.updated_at, config.settings.timezone) or ""
        outcome.code = ticket.tracking_code
        self._reply(outcome, "status", code=ticket.tracking_code, status=status_name(ticket.status.value, language),
                    updated=updated[:16].replace("T", " "))

    def _open_ticket(self, handling: Handling) -> OpenTicket | None:
        """The contact's newest open complaint, among its recent ones (kept on the conversation; the reporter
        index only for a conversation stored before they were). A contact that never wrote has none: the desk
        stores a contact before filing for it."""
        if handling.recent is None:
            found, _ = self.tickets.by_reporter(handling.contact.id, OPEN_LOOKUP, None)
            handling.recent = tuple(ticket.tracking_code for ticket in found)
        else:
            found = self.tickets.by_codes(handling.recent) if handling.recent else []
        handling.tickets.update((ticket.tracking_code, ticket) for ticket in found)
        for ticket in found:
            if is_open(ticket.status):
                return OpenTicket(ticket.tracking_code, ticket.status)
        return None

    @staticmethod
    def _reply(outcome: IntakeOutcome, key: str, **values: object) -> None:
        outcome.reply(key, render(key, outcome.language, **values))

    @staticmethod
    def _hydrate(message: InboundMessage) -> InboundMessage:
        """Mail stored by SES's S3 action arrives as a pointer: read the MIME now, not in the webhook."""
        if "mime_key" not in message.extra or message.text:
            return message
        raw = inbound_store.get(message.extra["mime_bucket"], message.extra["mime_key"])
        text, media = read_mime(raw)
        return message.model_copy(update={"text": text, "media": media})

    # ------------------------------------------------------------------ follow-up (idempotent)
    def _contact(self, message: InboundMessage, found: Contact | None) -> Contact:
        if found is not None:
            return found
        identity = contact_id(message.channel, message.sender)
        stamp = clock.to_storage(clock.now())
        # Stored with the message's effect, with what this message says about the sender (one write).
        return Contact(id=identity, channel=message.channel, address=message.sender,
                       display_name=message.sender_name, provider=message.provider,
                       created_at=stamp, updated_at=stamp)

    def _follow_up(self, message: InboundMessage, contact: str, outcome: IntakeOutcome) -> list[Attachment]:
        """What follows the stored effect (idempotent: redone by a redelivery that finds it unfinished): the
        media stored, the replies sent; the attachment records to write with the `done` mark."""
        attachments: list[Attachment] = []
        if self.media is not None and outcome.ticket_id and outcome.code:
            for source in [message, *outcome.held]:
                attachments.extend(self.media.store(source, outcome.ticket_id, outcome.code, contact))
        for index, reply in enumerate(outcome.replies):
            self._send(message, contact, outcome, reply, index)
        return attachments

    def _send(self, message: InboundMessage, contact: str, outcome: IntakeOutcome,
              reply: Reply, index: int = 0) -> None:
        recipient = message.reply_to or message.sender
        cause = message.id if index == 0 else f"{message.id}#{index}"  # several replies to one message
        self.outbound().send(OutboundMessage(
            id=message_id(cause, recipient, message.channel), cause_id=message.id,
            kind=REPLY_KINDS.get(reply.kind, f"intake_{reply.kind}"), channel=message.channel,
            recipient=recipient, contact_id=contact,
            language=outcome.language, text=reply.text, subject=_subject(message),
            ticket_id=outcome.ticket_id, tracking_code=outcome.code, caused_at=outcome.at,
            reply_to_provider_message_id=message.provider_message_id,
            data={"provider": message.provider, **reply.data,
                  **({"email_message_id": message.extra["message_id"]} if "message_id" in message.extra else {})},
        ))
        logger.info("reply handed to the outbound port", extra={"kind": reply.kind, "code": outcome.code})


def _others(plan: Plan, message: InboundMessage) -> list[InboundMessage]:
    """Messages held while we asked "comment or new?", now filed with the answer."""
    return [held for held in plan.messages if held.id != message.id]


def _principal(contact: Contact) -> Principal:
    return Principal(sub=contact.id, roles=frozenset({Role.CITIZEN}), name=contact.display_name)


def _with_location(change: lifecycle.Change, ticket: Ticket, plan: Plan, now: datetime) -> lifecycle.Change:
    """A location shared after the text completes a complaint that had none."""
    shared = location_of(plan.messages)
    if shared is None or ticket.location is not None:
        return change
    location = Location(lat=shared.lat, lon=shared.lon, address=shared.address or shared.name)
    if change.expected_version is not None:  # the comment already changed the head (need_info resumed)
        return lifecycle.Change(change.ticket.model_copy(update={"location": location}), change.entries,
                                change.expected_version)
    updated = change.ticket.model_copy(update={"location": location, "updated_at": clock.to_storage(now),
                                               "version": ticket.version + 1})
    return lifecycle.Change(updated, change.entries, ticket.version)


def _subject(message: InboundMessage) -> str | None:
    return f"Re: {message.subject}" if message.subject else None


def _expiry(now: datetime) -> int:
    return int((now + timedelta(days=LEDGER_DAYS)).timestamp())
