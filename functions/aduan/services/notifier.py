"""Turn events into messages, and provider status callbacks into timeline entries.

Events: domain events (`aduan.tickets`), SLA events (`aduan.sla`), triage events (`aduan.triage`), and
`DeliveryStatusReported` from channel intake (`aduan.channels`). Redelivered events produce the same
message ids (the event id is the cause), so the sender's claim drops the repeats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aduan.dal.contacts import ContactRepository
from aduan.dal.deliveries import DeliveryRepository
from aduan.dal.tickets import TicketRepository
from aduan.logic import clock, delivery_log, forward_messages
from aduan.logic.notifications import messages
from aduan.logic.organisation import escalation_emails
from aduan.logic.recipients import Facts
from aduan.models.config import CityConfig
from aduan.models.contact import Contact
from aduan.models.events import DomainEvent, TicketSnapshot, read_event
from aduan.models.outbound import OutboundMessage, OutboundPort
from aduan.models.templates import NotificationConfig
from aduan.models.ticket import Channel, Ticket
from aduan.services.feedback import FeedbackService
from aduan.services.rating_digest import RatingDigestService

DELIVERY_STATUS = "DeliveryStatusReported"
FORWARDED = "TicketForwarded"
RATED = "RatingGiven"


@dataclass
class NotifierService:
    tickets: TicketRepository
    contacts: ContactRepository
    deliveries: DeliveryRepository
    city: Callable[[], CityConfig]
    config: Callable[[], NotificationConfig]
    port: Callable[[], OutboundPort]
    # App/web citizens (a user-pool sub, no channel contact): their devices, verified email and phone.
    people: Callable[[str], list[Contact]] | None = None
    feedback: FeedbackService | None = None
    # Ratings reach the agency in a daily digest, not an email each: kept here as they happen.
    ratings: RatingDigestService | None = None

    def handle(self, envelope: dict[str, Any]) -> list[OutboundMessage]:
        if envelope.get("detail-type") == DELIVERY_STATUS:
            self.delivery_status(envelope.get("detail") or {})
            return []
        event = read_event(envelope)
        if event is None:
            return []
        if event.event_type == RATED and self.ratings is not None:
            self.ratings.record(event)
        # With its SLA fields (expected datetime); as of the event at least.
        ticket = self.tickets.get_as_of(event.tracking_code, event.ticket_version)
        if ticket is None:
            return []  # the ticket is gone (or never was): nothing to say
        city, config = self.city(), self.config()
        agency = city.agency(event.agency_id or ticket.assigned_agency_id or "")
        # A body reached by webhook or through LAPOR! gets its forward below, not the officers' mail.
        forward = agency.forward if agency and event.event_type == FORWARDED else None
        mailed = agency is not None and (forward is None or forward.channel == "email")
        followers = tuple(ticket.follower_refs)
        wants_citizen = config.find(event.event_type, event.to_status, "citizen") is not None
        facts = Facts(
            event_type=event.event_type, to_status=event.to_status, internal=event.internal,
            actor_role=event.actor_role, ticket_channel=ticket.channel, reporter_ref=ticket.reporter.ref,
            reporter_contact=ticket.reporter.contact, follower_refs=followers,
            agency_emails=tuple(agency.emails) if agency and mailed else (),
            # An escalation rung names its people (docs/organisation.md); other events go to the supervisors.
            supervisor_emails=escalation_emails(event.data.get("recipients") or [], city)
            or tuple(config.settings.supervisor_emails),
            default_language=city.settings.default_language,
            contacts=self._contacts([ticket.reporter.ref, *followers]) if wants_citizen else {},
        )
        built = self._through_lapor(messages(event, ticket, facts, city, config), event, ticket, city)
        if forward is not None and agency is not None:
            built += [found for found in [forward_messages.forward_message(event, ticket, agency, city)] if found]
        built += [found for found in [forward_messages.lapor_forward_update(event, ticket, city)] if found]
        if self.feedback is not None:
            built += self.feedback.ask(built, ticket)  # resolved: "is it fixed?" on the reporter's channel
        port = self.port()
        send_all = getattr(port, "send_all", None)  # an optional batch form of the port's send
        if callable(send_all) and built:
            send_all(built)
        else:
            for message in built:
                port.send(message)
        return built

    @staticmethod
    def _through_lapor(built: list[OutboundMessage], event: DomainEvent, ticket: Ticket, city: CityConfig
                       ) -> list[OutboundMessage]:
        """A reporter who wrote on SP4N-LAPOR! hears from us there: their messages become pushes to their
        LAPOR! report (none while the city has no LAPOR! settings)."""
        settings = city.settings.lapor
        others = [message for message in built if message.channel != Channel.LAPOR]
        if settings is None or not settings.enabled:
            return others
        moment = clock.to_storage(clock.now())
        return others + [forward_messages.lapor_update(message, event, ticket, settings, moment)
                         for message in built if message.channel == Channel.LAPOR]

    def _contacts(self, refs: list[str]) -> dict[str, list[Contact]]:
        found: dict[str, list[Contact]] = {}
        for ref in dict.fromkeys(refs):
            channel = ref.split(":", 1)[0]
            contact = self.contacts.get(ref) if channel in Channel._value2member_map_ and ":" in ref else None
            if contact is None:
                found[ref] = self.people(ref) if self.people and ":" not in ref else []
                continue
            linked = self.contacts.of_person(contact.person_id) if contact.person_id else []
            found[ref] = [contact, *(c for c in linked if c.id != contact.id)]
        return found

    def delivery_status(self, detail: dict[str, Any]) -> bool:
        """Record a provider's status callback on the ticket; a final failure of a citizen's message falls
        back to their next known channel. A status that echoes our reference (WhatsApp) names its ticket and
        message itself: one write, no read; others are looked up by the provider's message id."""
        channel, provider_id, status = detail.get("channel"), detail.get("provider_message_id"), detail.get("status")
        if not (channel and provider_id and status):
            return False
        message: OutboundMessage | None = None
        named = delivery_log.referenced(detail.get("reference"), str(channel))
        if named is not None:
            ticket: Ticket | TicketSnapshot | None
            ticket, logged, falls_back = named
        else:
            message = self._mapped(str(channel), str(provider_id))
            if message is None:
                return False  # not one of ours (e.g. sent before this system), or not about a complaint
            ticket = delivery_log.about(message) or self.tickets.get(str(message.tracking_code))
            if ticket is None:
                return False
            logged, falls_back = delivery_log.Logged.of(message), bool(message.data.get("fallbacks"))
        moment = clock.now()
        occurred = detail.get("occurred_at") or clock.to_storage(moment)
        try:
            at = clock.from_storage(occurred)
        except ValueError:
            at = moment
        entry = delivery_log.entry(
            ticket, logged, str(status), at, provider=str(channel), provider_message_id=str(provider_id),
            error_code=str(detail["error_code"]) if detail.get("error_code") else None, error=detail.get("error_title"),
            event_id=delivery_log.status_event_id(str(channel), str(provider_id), str(status)),
            address=message.recipient if message else detail.get("recipient"))
        recorded = self.deliveries.record_status(entry)
        if recorded and status == "failed" and falls_back:
            from aduan.services.delivery import DeliveryService  # the same fallback rule as at send time

            message = message or self._mapped(str(channel), str(provider_id))
            fallback = DeliveryService._fallback(message) if message else None
            if fallback:
                self.port().send(fallback)
        return recorded

    def _mapped(self, channel: str, provider_id: str) -> OutboundMessage | None:
        """Our message behind a provider's id (kept by the sender for providers that do not echo our
        reference, and for messages that fall back); None if unknown or not about a complaint."""
        mapped = self.deliveries.by_provider_id(channel, provider_id)
        if mapped is None or not mapped.get("tracking_code"):
            return None
        return OutboundMessage.model_validate_json(mapped["message"])
