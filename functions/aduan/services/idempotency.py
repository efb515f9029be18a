"""`Idempotency-Key` for filing complaints: a retried request returns the first complaint.

The key is scoped to the caller (two citizens may pick the same key) and the body is validated:
the same key with a different body is refused rather than silently answered with the old result.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan.dal.idempotency_store import persistence_layer
from aduan.logic.access import Principal
from aduan.logic.errors import Conflict, Unprocessable
from aduan.models.api import ComplaintView, NewComplaint

KEY_HOURS = 24
CONFIG = IdempotencyConfig(
    event_key_jmespath="[caller, key]",
    payload_validation_jmespath="body",
    expires_after_seconds=KEY_HOURS * 3600,
    raise_on_no_idempotency_key=True,
)


# The view the filing in this call produced: the record keeps only the tracking code (what a replay needs
# to answer), one write unit instead of two; a replay reads the complaint and shows it as it is now.
_filed: ContextVar[ComplaintView | None] = ContextVar("filed", default=None)


@cache
def _filer() -> Any:
    @idempotent_function(data_keyword_argument="request", persistence_store=persistence_layer(), config=CONFIG)
    def file(request: dict[str, Any], principal: Principal) -> dict[str, Any]:
        from aduan.wiring import ticket_service

        view = ticket_service().file(principal, NewComplaint.model_validate(request["body"]))
        _filed.set(view)
        return {"tracking_code": view.tracking_code}

    return file


def file_once(principal: Principal, key: str, body: NewComplaint, context: LambdaContext | None) -> ComplaintView:
    # Lets an in-progress record expire with the invocation if Lambda times out.
    if context is not None:
        CONFIG.register_lambda_context(context)
    request = {"caller": principal.sub, "key": key, "body": body.model_dump(mode="json")}
    _filed.set(None)
    try:
        stored = _filer()(request=request, principal=principal)
    except IdempotencyValidationError:
        raise Unprocessable("this Idempotency-Key was already used with a different complaint",
                            code="idempotency_key_reused") from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict("the same request is still being processed; retry in a moment",
                       code="request_in_progress") from None
    filed = _filed.get()
    if filed is not None:
        return filed
    if set(stored) != {"tracking_code"}:  # a record from before records kept only the code (24 h at most)
        return ComplaintView.model_validate(stored)
    from aduan.wiring import ticket_service

    return ticket_service().filed(principal, stored["tracking_code"])
