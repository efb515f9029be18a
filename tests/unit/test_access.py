"""Claims -> principal, and the visibility rules, without AWS."""

import pytest

from aduan.logic.access import parse_groups, principal_from_claims
from aduan.logic.errors import Unauthorized
from aduan.logic.status_machine import Role


@pytest.mark.parametrize(("raw", "groups"), [
    ("verifier", ["verifier"]),
    ("verifier,supervisor", ["verifier", "supervisor"]),
    ("[verifier supervisor]", ["verifier", "supervisor"]),
    (["agency_officer"], ["agency_officer"]),
    ("", []),
    (None, []),
])
def test_group_claim_formats(raw: object, groups: list[str]) -> None:
    assert parse_groups(raw) == groups


def test_claims_become_a_principal() -> None:
    principal = principal_from_claims({"sub": "abc", "cognito:groups": "agency_officer",
                                       "custom:agency_id": "dpu", "name": "Budi"})
    assert principal.roles == {Role.AGENCY_OFFICER} and principal.agency_id == "dpu" and principal.name == "Budi"


def test_no_group_means_citizen_and_system_cannot_be_claimed() -> None:
    assert principal_from_claims({"sub": "abc"}).roles == {Role.CITIZEN}
    assert principal_from_claims({"sub": "abc", "cognito:groups": "system"}).roles == {Role.CITIZEN}
    assert principal_from_claims({"sub": "abc", "cognito:groups": "admin,verifier"}).roles == {Role.VERIFIER}


@pytest.mark.parametrize("claims", [None, {}, {"sub": ""}, {"cognito:groups": "verifier"}])
def test_missing_identity_is_unauthorized(claims: dict[str, object] | None) -> None:
    with pytest.raises(Unauthorized):
        principal_from_claims(claims)
