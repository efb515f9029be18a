"""An external body's answer to a complaint we forwarded, arriving by signed callback: verify, then
record it as the system on the body's behalf (docs/organisation.md#signed-answer-callback)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from aduan.logic import clock, forwarding, ids, lifecycle
from aduan.logic.access import Principal
from aduan.logic.errors import Conflict, NotFound, Unauthorized, Unprocessable
from aduan.logic.status_machine import Action, Role, Status
from aduan.models.organisation import ExternalAnswer, ExternalAnswerReceipt
from aduan.services.tickets import TicketService


@dataclass
class ForwardingService:
    tickets: TicketService
    callback_key: Callable[[str], bytes | None]

    def answer(self, agency_id: str, timestamp: str | None, signature: str | None, body: bytes
               ) -> ExternalAnswerReceipt:
        config = self.tickets.config()
        agency = config.agency(agency_id)
        key = self.callback_key(agency_id) if agency and agency.forward and agency.forward.signed_callback else None
        if key is None:
            raise NotFound(f"no answer callback for {agency_id!r}")
        moment = clock.now()
        wrong = forwarding.problem(key, timestamp, signature, body, moment)
        if wrong is not None:
            raise Unauthorized(wrong, code="bad_signature")
        try:
            answer = ExternalAnswer.model_validate(json.loads(body or b"null"))
        except (ValueError, ValidationError) as exc:
            details = exc.errors(include_url=False) if isinstance(exc, ValidationError) else None
            raise Unprocessable("the body must be JSON {tracking_code, answer, reference?}",
                                details=json.loads(json.dumps(details, default=str))) from None
        code = ids.normalise_tracking_code(answer.tracking_code, config.settings.tracking_prefix)
        ticket = self.tickets.repository.get(code) if code else None
        if ticket is None:
            raise NotFound(f"no complaint {answer.tracking_code!r}")
        if ticket.status != Status.FORWARDED or ticket.assigned_agency_id != agency_id:
            raise Conflict(f"{ticket.tracking_code} is not waiting for an answer from {agency_id}",
                           details={"status": ticket.status.value}, code="not_forwarded")
        on_behalf = Principal(sub=f"external:{agency_id}", roles=frozenset({Role.SYSTEM}))
        note = f"Ref. {answer.reference}" if answer.reference else None
        command = lifecycle.Command(Action.RECORD_EXTERNAL_ANSWER, ticket.version, note=note,
                                    response=answer.answer)
        change = lifecycle.apply(ticket, command, on_behalf, lifecycle.Policy.of(config), moment)
        self.tickets.repository.save(change)
        return ExternalAnswerReceipt(tracking_code=ticket.tracking_code, status=change.ticket.status.value)
