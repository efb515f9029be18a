"""Who is told about an event, on which channel and in which language. Pure: facts in, recipients out.

The citizen is reached on the channel identity they reported from (the Contact of `reporter.ref`); their
other known identities (same `person_id`, or the contact they typed into the form) are kept as fallbacks
for when that channel fails for good. Officers of the assigned agency are emailed at the agency's
addresses; supervisors at the configured addresses. Followers (reporters of duplicates merged into this
ticket) get the citizen's updates of the parent. Which audiences hear about which events is data: an
audience is told only if a template exists for it (models/templates.py); the rules here are the ones
no template may override.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aduan.models.contact import Contact, Language
from aduan.models.outbound import Audience
from aduan.models.ticket import Channel

# Channels we have a sender for. (X is intake-only.)
# LAPOR!: the reporter's updates are pushed to their LAPOR! report (logic/forward_messages.lapor_update).
SENDABLE = frozenset({Channel.WHATSAPP, Channel.TELEGRAM, Channel.SMS, Channel.EMAIL, Channel.INSTAGRAM,
                      Channel.MESSENGER, Channel.APP, Channel.LAPOR})
# Channel intake answers a complaint filed from these channels with its tracking code at once, so the
# notifier does not send a second "received" message.
INTAKE_ACKNOWLEDGED = frozenset({Channel.WHATSAPP, Channel.TELEGRAM, Channel.SMS, Channel.EMAIL,
                                 Channel.INSTAGRAM, Channel.MESSENGER, Channel.X})
# Parent updates worth telling the reporters of merged duplicates (not questions meant for one reporter).
FOLLOWER_EVENTS = frozenset({"TicketAssigned", "TicketStatusChanged", "TicketResolved", "TicketClosed",
                             "TicketReopened"})
# Confirmations a citizen gets for something they did themselves.
SELF_CONFIRMED = frozenset({"TicketCreated", "TicketReopened"})
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class Address:
    channel: Channel
    address: str
    contact_id: str | None = None


@dataclass(frozen=True)
class Recipient:
    audience: Audience
    address: Address
    language: Language
    fallbacks: tuple[Address, ...] = ()
    follower: bool = False


@dataclass(frozen=True)
class Facts:
    """What recipient selection needs to know about an event and its ticket."""

    event_type: str
    to_status: str | None
    internal: bool
    actor_role: str | None
    ticket_channel: Channel
    reporter_ref: str
    reporter_contact: str | None = None
    follower_refs: tuple[str, ...] = ()
    agency_emails: tuple[str, ...] = ()
    supervisor_emails: tuple[str, ...] = ()
    default_language: Language = "id"
    # ref -> the contacts known for it: the contact whose id is the ref first, then linked identities.
    contacts: Mapping[str, Sequence[Contact]] = field(default_factory=dict)


def citizen_allowed(facts: Facts) -> bool:
    if facts.internal:
        return False  # internal notes are for officers only, whatever a template says
    if facts.actor_role == "citizen" and facts.event_type not in SELF_CONFIRMED:
        return False
    return not (facts.event_type == "TicketCreated" and facts.ticket_channel in INTAKE_ACKNOWLEDGED)


def officers_allowed(facts: Facts) -> bool:
    # An agency's officers are not emailed about what they did themselves; they see it in their queue.
    return facts.actor_role != "agency_officer" and not facts.internal


def contact_address(contact: Contact) -> Address | None:
    if contact.channel not in SENDABLE or contact.opted_out:
        return None
    return Address(contact.channel, contact.address, contact.id)


def typed_address(text: str | None) -> Address | None:
    """A contact the reporter typed into a form: an email address or an E.164 phone number (SMS)."""
    value = (text or "").strip()
    if _EMAIL.match(value):
        return Address(Channel.EMAIL, value)
    compact = re.sub(r"[\s().-]", "", value)
    if compact.startswith("08"):
        compact = "+62" + compact[1:]  # Indonesian mobile numbers are commonly written 08…
    return Address(Channel.SMS, compact) if _E164.match(compact) else None


def citizen(ref: str, contacts: Sequence[Contact], typed: str | None, default_language: Language,
            follower: bool = False) -> Recipient | None:
    """The citizen behind `ref`, or None if unreachable or they asked us to stop (STOP/BERHENTI)."""
    primary = next((contact for contact in contacts if contact.id == ref), None)
    if primary is not None and primary.opted_out:
        return None  # they said stop on the channel they use with us: no other channel either
    addresses: list[Address] = []
    for contact in ([primary] if primary else []) + [c for c in contacts if c is not primary]:
        address = contact_address(contact)
        if address and address not in addresses:
            addresses.append(address)
    extra = typed_address(typed)
    if extra and all((a.channel, a.address) != (extra.channel, extra.address) for a in addresses):
        addresses.append(extra)
    if not addresses:
        return None
    language = primary.language if primary else next(
        (c.language for c in contacts if c.id == addresses[0].contact_id), default_language)
    return Recipient("citizen", addresses[0], language, tuple(addresses[1:]), follower)


def select(facts: Facts, audiences: frozenset[Audience]) -> list[Recipient]:
    """Recipients for the audiences that have a template for this event."""
    chosen: list[Recipient] = []
    if "citizen" in audiences and citizen_allowed(facts):
        reporter = citizen(facts.reporter_ref, facts.contacts.get(facts.reporter_ref, ()),
                           facts.reporter_contact, facts.default_language)
        if reporter:
            chosen.append(reporter)
        if facts.event_type in FOLLOWER_EVENTS and facts.to_status != "need_info":
            for ref in dict.fromkeys(facts.follower_refs):
                if ref == facts.reporter_ref:
                    continue
                follower = citizen(ref, facts.contacts.get(ref, ()), None, facts.default_language, True)
                if follower:
                    chosen.append(follower)
    if "officer" in audiences and officers_allowed(facts):
        chosen += [Recipient("officer", Address(Channel.EMAIL, email), facts.default_language)
                   for email in dict.fromkeys(facts.agency_emails)]
    if "supervisor" in audiences:
        chosen += [Recipient("supervisor", Address(Channel.EMAIL, email), facts.default_language)
                   for email in dict.fromkeys(facts.supervisor_emails)]
    return chosen
