"""The error body every HTTP function answers with, and what an unexpected exception becomes: 503 with
Retry-After when AWS was busy or out of reach after the client's own retries (retrying works; a provider
redelivers), 500 for anything else (our bug, logged with its trace)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from aduan.dal.clients import transient
from aduan.observability import logger

RETRY_AFTER_SECONDS = 2


def error(status: int, code: str, message: str, details: Any = None,
          headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, headers=headers,
                    body={"error": {"code": code, "message": message, "details": details}})


def unexpected_answer(exc: Exception, what: str) -> Response[Any]:
    if transient(exc):
        logger.warning(f"{what}: a backing service was unavailable", exc_info=exc)
        return error(503, "service_unavailable", "a service we depend on is busy; retry in a few seconds",
                     headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    logger.exception(what)
    return error(500, "internal_error", "something went wrong on our side; the request can be retried")
