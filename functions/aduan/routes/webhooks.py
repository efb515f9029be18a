"""The webhooks API (its own function, no Cognito: providers authenticate by signature).

The raw body is what providers sign, so it is taken from the event as received (base64-decoded when
API Gateway encoded it) and never re-serialised before verification.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from aduan import settings
from aduan.adapters.channels.base import WebhookRequest
from aduan.logic import clock
from aduan.logic.errors import DomainError
from aduan.routes.failures import unexpected_answer
from aduan.services import webhooks

app = APIGatewayRestResolver()


def _answer(answer: webhooks.Answer) -> Response[str]:
    return Response(status_code=answer.status, content_type=answer.content_type, body=answer.body)


@app.exception_handler(DomainError)
def rejected(exc: DomainError) -> Response[Any]:
    return Response(status_code=exc.status, content_type="application/json",
                    body={"error": {"code": exc.code, "message": exc.message, "details": exc.details}})


@app.not_found
def no_route(exc: NotFoundError) -> Response[Any]:
    # Without this, the catch-all below would answer an unknown path (e.g. /webhooks/a%2Fb) with a 500.
    return Response(status_code=404, content_type="application/json",
                    body={"error": {"code": "not_found", "message": "no such webhook", "details": None}})


@app.exception_handler(Exception)
def unexpected(exc: Exception) -> Response[Any]:
    # A 503 or 500 makes the provider redeliver later, which is what we want when S3 or SQS failed.
    return unexpected_answer(exc, "webhook failed")


@app.get("/webhooks/<channel>")
def verify_subscription(channel: str) -> Response[str]:
    return _answer(webhooks.handshake(channel, webhook_request(app)))


@app.post("/webhooks/<channel>")
def receive(channel: str) -> Response[str]:
    return _answer(webhooks.receive(channel, webhook_request(app)))


def webhook_request(router: BaseRouter) -> WebhookRequest:
    event = router.current_event
    context = event.get("requestContext") or {}
    raw = event.get("body") or ""
    body = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8")
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    pairs = [(key, value) for key, values in (event.get("multiValueQueryStringParameters") or {}).items()
             for value in values]
    query_string = urlencode(pairs)
    url = public_base_url(event) + str(event.get("path") or "")
    form: list[tuple[str, str]] = []
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    epoch = context.get("requestTimeEpoch")
    received = datetime.fromtimestamp(epoch / 1000, UTC) if epoch else clock.now()
    return WebhookRequest(method=str(event.get("httpMethod")), headers=headers,
                          query={key: value for key, value in pairs}, body=body,
                          public_url=url + (f"?{query_string}" if query_string else ""),
                          received_at=received, form_pairs=form)


def public_base_url(event: Any) -> str:
    configured = settings.webhook_base_url()
    if configured:
        return configured.rstrip("/")
    context = event.get("requestContext") or {}
    return f"https://{context.get('domainName')}/{context.get('stage')}"
