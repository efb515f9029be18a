"""Closing the loop by chat (logic/feedback.py says what is asked and how answers read).

- `ask`: the notifier's hook. When a complaint is resolved, the reporter's message on a chat channel is
  followed by the question, with answer buttons where the channel has them, and the question is
  remembered for that contact (until the reopen window ends). Followers of merged duplicates are not asked.
- `answer`: the intake worker's hook. A tapped button (its payload names the complaint) or, while a
  question is pending, a keyword is recorded on the complaint as its reporter with the API's rules (only
  the reporter, one rating, the reopen window, a reason for reopening) in the same transaction as the
  intake ledger entry, and acknowledged; a refused answer is explained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aduan.dal.feedback_store import FeedbackStore
from aduan.dal.tickets import TicketRepository
from aduan.logic import clock, delivery_log, feedback, ids, lifecycle
from aduan.logic.access import Principal
from aduan.logic.errors import DomainError
from aduan.logic.status_machine import Action, Role
from aduan.models.config import CityConfig
from aduan.models.contact import Contact, Language
from aduan.models.inbound import InboundMessage
from aduan.models.intake import IntakeOutcome
from aduan.models.outbound import OutboundMessage, message_id
from aduan.models.ticket import Channel, Ticket

# Channels where the citizen answers in the same conversation (app/web citizens use the API).
ASKED_ON = frozenset({Channel.WHATSAPP, Channel.TELEGRAM, Channel.MESSENGER, Channel.INSTAGRAM, Channel.SMS,
                      Channel.EMAIL})
# Channels with room for the five scores as buttons too (WhatsApp has three reply buttons at most).
SCORE_BUTTONS = frozenset({Channel.TELEGRAM, Channel.MESSENGER, Channel.INSTAGRAM})
BUTTONS = SCORE_BUTTONS | {Channel.WHATSAPP}
RESOLVED = "TicketResolved"


@dataclass(frozen=True)
class Answered:
    outcome: IntakeOutcome
    saved: bool  # the ticket changed, and the ledger entry was written with it


@dataclass
class FeedbackService:
    tickets: TicketRepository
    store: FeedbackStore
    config: Callable[[], CityConfig]

    # ------------------------------------------------------------------ asking (notifier)
    def ask(self, built: list[OutboundMessage], ticket: Ticket) -> list[OutboundMessage]:
        """The question to add after the reporter's resolution message, if any."""
        questions = []
        for message in built:
            if (message.kind != RESOLVED or message.audience != "citizen" or message.data.get("follower")
                    or message.channel not in ASKED_ON or not message.contact_id):
                continue
            questions.append(self.question(message, ticket))
            window = timedelta(days=self.config().settings.reopen_window_days)
            self.store.ask(message.contact_id, ticket.tracking_code, clock.to_storage(clock.now()),
                           int((clock.now() + window).timestamp()))
            break  # one question per resolution: the reporter's first reachable channel
        return questions

    @staticmethod
    def question(message: OutboundMessage, ticket: Ticket) -> OutboundMessage:
        code = ticket.tracking_code
        choices = feedback.choices(code, message.language, message.channel in SCORE_BUTTONS) \
            if message.channel in BUTTONS else []
        cause = f"{message.cause_id}:feedback"
        return delivery_log.placed(message).model_copy(update={
            "id": message_id(cause, message.recipient, message.channel), "cause_id": cause,
            "kind": "feedback_question", "text": feedback.render("question", message.language, code=code),
            "data": {**message.data, "choices": [{"title": c.title, "payload": c.payload} for c in choices],
                     "fallbacks": []}})

    # ------------------------------------------------------------------ answers (intake)
    def answer(self, message: InboundMessage, contact: Contact, language: Language, now: datetime,
               guard: Callable[[IntakeOutcome], tuple[dict[str, Any], list[dict[str, Any]]]]) -> Answered | None:
        """`guard` gives the intake ledger entry and the message's bookkeeping writes (see TicketRepository.save)."""
        button = message.extra.get("payload")
        found = feedback.read(message.text, button) if not message.media and message.location is None else None
        is_ours = bool(button and button.startswith(feedback.PAYLOAD_PREFIX))
        if found is None:
            return Answered(self._refused(message, language, "-", _unknown(language)), False) if is_ours else None
        code = found.code if is_ours else self.store.pending(contact.id, now.timestamp())
        if not code:
            return None  # a keyword with no question pending: an ordinary message
        outcome = IntakeOutcome(move="feedback", language=language, code=code)
        ticket = self.tickets.get(ids.normalise_tracking_code(code, self.config().settings.tracking_prefix) or code)
        if ticket is None:
            return Answered(self._refused(message, language, code, _unknown(language)), False)
        principal = Principal(sub=contact.id, roles=frozenset({Role.CITIZEN}), name=contact.display_name)
        try:
            change, reply = self._change(ticket, found, principal, language, message.channel, now)
        except DomainError as refused:
            return Answered(self._refused(message, language, code, refused.message), False)
        outcome.ticket_id, outcome.answer = ticket.id, found.kind
        _reply(outcome, reply, code=code, score=found.score)
        if message.extra.get("callback_query_id"):
            _callback_answer(outcome, message)
        ledger, bookkeeping = guard(outcome)
        self.tickets.save(change, guard=ledger, also=bookkeeping)
        return Answered(outcome, True)

    def _change(self, ticket: Ticket, answer: feedback.Answer, principal: Principal, language: Language,
                channel: Channel, now: datetime) -> tuple[lifecycle.Change, str]:
        if answer.kind == "rating" and answer.score is not None:
            return lifecycle.rate(ticket, answer.score, None, principal, now), "rated"
        policy = lifecycle.Policy.of(self.config())
        if answer.kind == "fixed":
            command = lifecycle.Command(Action.CLOSE, ticket.version)
            return lifecycle.apply(ticket, command, principal, policy, now), "fixed"
        reason = feedback.reason_for(answer, language, channel.value)
        command = lifecycle.Command(Action.REOPEN, ticket.version, reason=reason)
        return lifecycle.apply(ticket, command, principal, policy, now), "reopened"

    @staticmethod
    def _refused(message: InboundMessage, language: Language, code: str, why: str) -> IntakeOutcome:
        outcome = IntakeOutcome(move="feedback_refused", language=language, code=code)
        _reply(outcome, "refused", code=code, why=why)
        if message.extra.get("callback_query_id"):
            _callback_answer(outcome, message)
        return outcome


def _reply(outcome: IntakeOutcome, key: str, **values: object) -> None:
    outcome.reply(f"feedback_{key}", feedback.render(key, outcome.language, **values))


def _callback_answer(outcome: IntakeOutcome, message: InboundMessage) -> None:
    """Telegram: the tapped button's query is answered too (answerCallbackQuery), with the same words."""
    outcome.reply("callback_answer", outcome.replies[-1].text, callback_query_id=message.extra["callback_query_id"])


def _unknown(language: Language) -> str:
    return "pertanyaan ini sudah tidak berlaku." if language == "id" else "this question is no longer open."
