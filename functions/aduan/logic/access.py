"""Who is asking and what they may see or do. Pure: the caller's claims in, decisions out."""

from __future__ import annotations

from dataclasses import dataclass

from aduan.logic.errors import Forbidden, NotFound, Unauthorized
from aduan.logic.status_machine import AGENCY_OWNED, Role
from aduan.models.ticket import Ticket

OFFICER_ROLES = frozenset({Role.VERIFIER, Role.AGENCY_OFFICER, Role.SUPERVISOR})


@dataclass(frozen=True)
class Principal:
    sub: str
    roles: frozenset[Role]
    agency_id: str | None = None
    name: str | None = None

    @property
    def is_officer(self) -> bool:
        return bool(self.roles & OFFICER_ROLES)

    @property
    def sees_everything(self) -> bool:
        return bool(self.roles & {Role.VERIFIER, Role.SUPERVISOR, Role.SYSTEM})

    @property
    def primary_role(self) -> Role:
        for role in (Role.SYSTEM, Role.SUPERVISOR, Role.VERIFIER, Role.AGENCY_OFFICER, Role.CITIZEN):
            if role in self.roles:
                return role
        raise Unauthorized("no role")


SYSTEM = Principal(sub="system", roles=frozenset({Role.SYSTEM}))


def parse_groups(raw: object) -> list[str]:
    """`cognito:groups` arrives as a list, "a,b" (REST authorizer) or "[a b]" (JWT authorizer)."""
    if isinstance(raw, list):
        return [str(item) for item in raw]
    if not isinstance(raw, str):
        return []
    return [part for part in raw.strip("[]").replace(",", " ").split() if part]


def principal_from_claims(claims: dict[str, object] | None) -> Principal:
    if not claims or not claims.get("sub"):
        raise Unauthorized("sign in first: this endpoint needs a bearer token")
    roles = frozenset(Role(group) for group in parse_groups(claims.get("cognito:groups"))
                      if group in Role._value2member_map_ and group != Role.SYSTEM)
    if not roles:
        # A signed-in user with no group is a citizen: officers are placed in groups by an admin.
        roles = frozenset({Role.CITIZEN})
    agency = claims.get("custom:agency_id")
    name = claims.get("name")
    if Role.AGENCY_OFFICER in roles and not agency and not roles & {Role.VERIFIER, Role.SUPERVISOR}:
        # Without an agency an officer's scope would be empty or, worse, read as "no agency filter".
        raise Forbidden("your officer account has no agency (custom:agency_id); ask an administrator")
    return Principal(
        sub=str(claims["sub"]),
        roles=roles,
        agency_id=str(agency) if agency else None,
        name=str(name) if name else None,
    )


def is_owner(principal: Principal, ticket: Ticket) -> bool:
    return ticket.reporter.ref == principal.sub


def handles(principal: Principal, ticket: Ticket) -> bool:
    """An agency officer handles tickets assigned to their agency while the agency holds them."""
    return (
        Role.AGENCY_OFFICER in principal.roles
        and principal.agency_id is not None
        and principal.agency_id == ticket.assigned_agency_id
        and (ticket.status in AGENCY_OWNED or ticket.resume_status in AGENCY_OWNED)
    )


def require_view(principal: Principal, ticket: Ticket) -> None:
    if principal.sees_everything or handles(principal, ticket) or is_owner(principal, ticket):
        return
    if principal.is_officer:
        raise Forbidden("this complaint is not assigned to your agency")
    # A citizen must not learn that someone else's tracking code exists.
    raise NotFound(f"no complaint {ticket.tracking_code}")


def acting_roles(principal: Principal, ticket: Ticket) -> frozenset[Role]:
    """The roles the caller may exercise on this ticket: an officer's group counts only in scope."""
    roles = set()
    for role in principal.roles:
        if (
            role in (Role.VERIFIER, Role.SUPERVISOR, Role.SYSTEM)
            or (role == Role.AGENCY_OFFICER and handles(principal, ticket))
            or (role == Role.CITIZEN and is_owner(principal, ticket))
        ):
            roles.add(role)
    return frozenset(roles)


def sees_reporter(principal: Principal, ticket: Ticket) -> bool:
    """Anonymous reporters are hidden from agencies; the desk and supervisors need them to verify."""
    if is_owner(principal, ticket) or principal.sees_everything:
        return True
    return not ticket.anonymous


def require_agency_scope(principal: Principal, agency_id: str) -> None:
    if principal.sees_everything:
        return
    if Role.AGENCY_OFFICER in principal.roles and principal.agency_id == agency_id:
        return
    raise Forbidden(f"you may not see agency {agency_id}'s queue")


def require_desk(principal: Principal) -> None:
    if not principal.roles & {Role.VERIFIER, Role.SUPERVISOR}:
        raise Forbidden("the verification desk is for verifiers and supervisors")
