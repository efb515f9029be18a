"""What every route needs: the caller (the services are built in aduan/wiring.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aduan.logic.access import Principal, principal_from_claims

if TYPE_CHECKING:
    # Only a type: a route module imports Powertools' Router itself.
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter


def caller(router: BaseRouter) -> Principal:
    """The signed-in user, from the claims API Gateway's Cognito authorizer put in the event."""
    return principal_from_claims(claims_of(router) or None)


def claims_of(router: BaseRouter) -> dict[str, Any]:
    """The user pool's claims (sub, groups, email, phone_number and their *_verified flags)."""
    request_context = router.current_event.get("requestContext") or {}
    authorizer = request_context.get("authorizer") or {}
    claims = authorizer.get("claims") if isinstance(authorizer, dict) else None
    return dict(claims) if isinstance(claims, dict) else {}
