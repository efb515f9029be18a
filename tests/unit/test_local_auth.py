"""Local tokens: signed, verifiable, tamper-evident, and turned into Cognito authorizer claims."""

from __future__ import annotations

import base64
import json

import pytest

from infra.local.auth import InvalidToken, TokenAuthority, UnknownRole, authorizer_date


def authority(now: float = 1_795_000_000.0, secret: bytes = b"k" * 32) -> TokenAuthority:
    return TokenAuthority("ap-southeast-3", secret=secret, ttl_seconds=3600, clock=lambda: now)


def test_round_trip_gives_rest_authorizer_claims() -> None:
    auth = authority()
    claims = auth.verify(auth.issue("agency_officer", sub="officer-9", agency_id="dpu", name="Budi"))
    assert claims["sub"] == "officer-9" and claims["cognito:username"] == "officer-9"
    assert claims["cognito:groups"] == "agency_officer"
    assert claims["custom:agency_id"] == "dpu" and claims["name"] == "Budi"
    assert claims["token_use"] == "id"
    assert claims["iss"] == "https://cognito-idp.ap-southeast-3.amazonaws.com/ap-southeast-3_AduanLocal"
    assert claims["exp"] == authorizer_date(1_795_003_600) and claims["exp"].endswith(" UTC 2026")
    assert all(isinstance(value, str) for value in claims.values())


def test_defaults_and_optional_claims() -> None:
    auth = authority()
    claims = auth.verify(auth.issue("citizen"))
    assert claims["sub"] == "local-citizen-1"
    assert "custom:agency_id" not in claims and "email" not in claims
    assert auth.verify(auth.issue("agency_officer"))["sub"] == "local-agency-officer-1"
    with_email = auth.verify(auth.issue("citizen", email="a@example.id"))
    assert with_email["email"] == "a@example.id" and with_email["email_verified"] == "true"


def test_unknown_role_is_refused() -> None:
    with pytest.raises(UnknownRole):
        authority().issue("mayor")


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["cognito:groups"] = ["supervisor"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_tampered_foreign_expired_or_malformed_tokens_fail() -> None:
    auth = authority()
    token = auth.issue("citizen")
    bad = [
        _tamper(token),
        authority(secret=b"x" * 32).issue("citizen"),
        "a.b",
        "not.a.token",
        token + "x",
        "",
    ]
    for candidate in bad:
        with pytest.raises(InvalidToken):
            auth.verify(candidate)
    with pytest.raises(InvalidToken):
        authority(now=1_795_003_601.0).verify(token)


def test_authorization_header_with_or_without_bearer() -> None:
    auth = authority()
    token = auth.issue("verifier")
    assert auth.claims_from_header(f"Bearer {token}") == auth.claims_from_header(token) == auth.verify(token)
    assert auth.claims_from_header(f"bearer  {token} ") is not None
    assert auth.claims_from_header(None) is None and auth.claims_from_header("Bearer nope") is None
