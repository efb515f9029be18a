"""Local stand-in for the Cognito user pool: signed tokens, and the claims API Gateway passes on.

A token is JWT-shaped (`header.payload.signature`, base64url) and signed with HMAC-SHA256 under a
secret that lives only as long as the process, so tokens never outlive a local run. Verification
produces the claims exactly as the REST API's Cognito authorizer puts them in
`requestContext.authorizer.claims`: every value is a string, `cognito:groups` is a single
comma-separated string and `exp`/`iat` use the authorizer's Java-style date format.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

DEFAULT_ROLES = ("citizen", "verifier", "agency_officer", "supervisor")
DEFAULT_TTL_SECONDS = 12 * 3600
_HEADER = {"alg": "HS256", "typ": "JWT", "kid": "aduan-local"}


class InvalidToken(Exception):
    """Malformed, tampered with, or expired."""


class UnknownRole(ValueError):
    """The requested role is not one of the user pool's groups."""


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidToken("token is not base64url") from error


def authorizer_date(epoch_seconds: int) -> str:
    """`exp`/`iat` as the REST API Cognito authorizer renders them, e.g. `Mon Nov 23 09:08:36 UTC 2026`."""
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


class TokenAuthority:
    """Issues and verifies local ID tokens for the user pool's groups."""

    def __init__(
        self,
        region: str,
        roles: Iterable[str] = DEFAULT_ROLES,
        *,
        secret: bytes | None = None,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.roles = tuple(roles)
        self.user_pool_id = f"{region}_AduanLocal"
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{self.user_pool_id}"
        self.client_id = "aduanlocalclient"
        self._secret = secret or secrets.token_bytes(32)
        self._ttl = ttl_seconds
        self._clock = clock

    def issue(
        self,
        role: str,
        *,
        sub: str | None = None,
        agency_id: str | None = None,
        name: str | None = None,
        email: str | None = None,
    ) -> str:
        if role not in self.roles:
            raise UnknownRole(f"role must be one of {', '.join(self.roles)}; got {role!r}")
        now = int(self._clock())
        # With email/phone sign-in Cognito uses the sub as the user name, so both are the same here.
        subject = sub or f"local-{role.replace('_', '-')}-1"
        payload: dict[str, Any] = {
            "sub": subject,
            "cognito:groups": [role],
            "cognito:username": subject,
            "token_use": "id",
            "iss": self.issuer,
            "aud": self.client_id,
            "event_id": str(uuid.uuid4()),
            "auth_time": now,
            "iat": now,
            "exp": now + self._ttl,
        }
        optional = {"custom:agency_id": agency_id, "name": name, "email": email}
        payload.update({key: value for key, value in optional.items() if value})
        if email:
            payload["email_verified"] = True
        signing_input = f"{_b64encode(_json(_HEADER))}.{_b64encode(_json(payload))}"
        return f"{signing_input}.{_b64encode(self._sign(signing_input))}"

    def verify(self, token: str) -> dict[str, str]:
        """The authorizer claims for a valid token; raises InvalidToken otherwise."""
        parts = token.split(".")
        if len(parts) != 3:
            raise InvalidToken("token must have three dot-separated parts")
        signing_input = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(_b64decode(parts[2]), self._sign(signing_input)):
            raise InvalidToken("bad signature")
        try:
            payload = json.loads(_b64decode(parts[1]))
        except ValueError as error:
            raise InvalidToken("payload is not JSON") from error
        if not isinstance(payload, dict) or payload.get("token_use") != "id":
            raise InvalidToken("not an ID token")
        if int(payload.get("exp", 0)) <= self._clock():
            raise InvalidToken("token expired")
        return to_authorizer_claims(payload)

    def claims_from_header(self, header_value: str | None) -> dict[str, str] | None:
        """Claims for an Authorization header value, or None when missing or invalid.

        Like API Gateway's Cognito authorizer, both `Bearer <token>` and the bare token work.
        """
        if not header_value:
            return None
        value = header_value.strip()
        if value[:7].lower() == "bearer ":
            value = value[7:].strip()
        try:
            return self.verify(value)
        except InvalidToken:
            return None

    def _sign(self, signing_input: str) -> bytes:
        return hmac.new(self._secret, signing_input.encode("ascii"), hashlib.sha256).digest()


def to_authorizer_claims(payload: dict[str, Any]) -> dict[str, str]:
    """Token payload -> `requestContext.authorizer.claims` (all strings, as the REST authorizer sends)."""
    claims: dict[str, str] = {}
    for key, value in payload.items():
        if key in ("exp", "iat"):
            claims[key] = authorizer_date(int(value))
        elif isinstance(value, list):
            claims[key] = ",".join(str(item) for item in value)
        elif isinstance(value, bool):
            claims[key] = "true" if value else "false"
        else:
            claims[key] = str(value)
    return claims


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode("utf-8")
