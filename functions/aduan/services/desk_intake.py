"""Officers file complaints for citizens who came to the desk, called, or spoke on the radio, or that
were printed in a newspaper. The reporter becomes a contact when they left a phone number or an email
(`sms:+62…` / `email:…`), so they get updates and can follow up by that channel like any chat citizen."""

from __future__ import annotations

from aduan.dal.contacts import ContactRepository
from aduan.logic import access, clock, ids
from aduan.logic.access import Principal
from aduan.logic.errors import Unprocessable
from aduan.logic.phone import to_e164
from aduan.models.api import ComplaintView, NewComplaint
from aduan.models.contact import Contact, contact_id
from aduan.models.desk import DeskComplaint
from aduan.models.ticket import Channel, Reporter
from aduan.services.tickets import TicketService


def file_for_citizen(service: TicketService, contacts: ContactRepository, principal: Principal,
                     request: DeskComplaint) -> ComplaintView:
    access.require_desk(principal)
    reporter = _reporter(contacts, request)
    note = f"\n\n[{request.channel}: {request.source_reference}]" if request.source_reference else ""
    base = NewComplaint(title=request.title, text=request.text + note, category_id=request.category_id,
                        location=request.location, anonymous=request.anonymous, confidential=request.confidential,
                        complaint_type=request.complaint_type)
    return service.file_as(principal, base, Channel(request.channel), reporter)


def _reporter(contacts: ContactRepository, request: DeskComplaint) -> Reporter:
    person = request.reporter
    moment = clock.to_storage(clock.now())
    if person.phone:
        phone = to_e164(person.phone)
        if phone is None:
            raise Unprocessable(f"{person.phone!r} is not a phone number",
                                details=[{"field": "reporter.phone", "message": "e.g. 081234567890 or +62…"}])
        channel, address = Channel.SMS, phone
    elif person.email:
        channel, address = Channel.EMAIL, person.email.lower()
    else:
        return Reporter(ref=f"desk:{ids.new_id(clock.now())}", name=person.name)
    identity = contact_id(channel, address)
    if contacts.get(identity) is None:
        contacts.put(Contact(id=identity, channel=channel, address=address, display_name=person.name,
                             created_at=moment, updated_at=moment))
    return Reporter(ref=identity, name=person.name, contact=address)
