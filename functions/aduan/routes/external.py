"""Bodies outside the city government answer forwarded complaints here (no Cognito: they authenticate
by signature; template.yaml gives this path `Authorizer: NONE`)."""

from __future__ import annotations

import base64
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from aduan.dal.external_secrets import callback_key
from aduan.models.organisation import ExternalAnswerReceipt
from aduan.services.forwarding import ForwardingService
from aduan.wiring import ticket_service

router = Router()


@router.post("/v1/external/<agency_id>/answers", tags=["external"],
             summary="An external body's signed answer to a complaint we forwarded to it")
def external_answer(agency_id: Annotated[str, Path(max_length=64)]) -> ExternalAnswerReceipt:
    event = router.current_event
    raw = event.body or ""
    body = base64.b64decode(raw) if event.is_base64_encoded else raw.encode()
    headers = {name.lower(): value for name, value in (event.headers or {}).items()}
    return ForwardingService(ticket_service(), callback_key).answer(
        agency_id, headers.get("x-aduan-timestamp"), headers.get("x-aduan-signature"), body)
