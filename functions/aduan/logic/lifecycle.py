"""Pure lifecycle operations: a ticket and a command in, the new ticket and its timeline entries out.
Nothing here touches AWS; the service persists the result in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aduan.logic import access, ids
from aduan.logic.access import Principal
from aduan.logic.clock import from_storage, to_storage
from aduan.logic.errors import Conflict, Forbidden, Unprocessable
from aduan.logic.status_machine import (
    Action,
    EventType,
    Role,
    Status,
    TransitionRefused,
    find_transition,
    resolve_target,
)
from aduan.models.ticket import Actor, Channel, Location, Priority, Rating, Reporter, Ticket, TimelineEntry


@dataclass(frozen=True)
class Draft:
    title: str
    text: str
    channel: Channel
    reporter: Reporter
    category_id: str | None = None
    location: Location | None = None
    anonymous: bool = False
    confidential: bool = False
    priority: Priority = Priority.NORMAL


@dataclass(frozen=True)
class Command:
    action: Action
    expected_version: int
    note: str | None = None
    reason: str | None = None
    agency_id: str | None = None
    duplicate_of: str | None = None
    response: str | None = None


@dataclass(frozen=True)
class Policy:
    """The configuration a lifecycle decision needs."""

    reopen_window_days: int
    agency_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Change:
    ticket: Ticket
    entries: list[TimelineEntry]
    expected_version: int | None  # None: a new ticket


def _actor(principal: Principal, role: Role) -> Actor:
    return Actor(role=role, id=principal.sub)


def _entry(ticket: Ticket, event_type: EventType, actor: Actor, moment: datetime, **fields: Any) -> TimelineEntry:
    return TimelineEntry(
        event_id=ids.new_id(moment),
        event_type=event_type,
        occurred_at=to_storage(moment),
        ticket_id=ticket.id,
        tracking_code=ticket.tracking_code,
        actor=actor,
        ticket_version=ticket.version,
        **fields,
    )


def open_ticket(draft: Draft, principal: Principal, prefix: str, moment: datetime) -> Change:
    stamp = to_storage(moment)
    ticket = Ticket(
        id=ids.new_id(moment),
        tracking_code=ids.new_tracking_code(prefix),
        title=draft.title,
        text=draft.text,
        category_id=draft.category_id,
        location=draft.location,
        channel=draft.channel,
        reporter=draft.reporter,
        anonymous=draft.anonymous,
        confidential=draft.confidential,
        priority=draft.priority,
        created_at=stamp,
        updated_at=stamp,
        status_since=stamp,
    )
    entry = _entry(
        ticket, EventType.TICKET_CREATED, _actor(principal, principal.primary_role), moment,
        to_status=Status.RECEIVED,
        data={"channel": draft.channel.value, "category_id": draft.category_id},
    )
    return Change(ticket=ticket, entries=[entry], expected_version=None)


def annotate(ticket: Ticket, update: dict[str, Any], event_type: EventType, actor: Actor, moment: datetime,
             data: dict[str, Any], note: str | None = None, bump_version: bool = False) -> Change:
    """A change that records information (triage's suggestion, a merged duplicate) without moving the
    status. Advisory data keeps the version, so the desk's `expected_version` is not invalidated."""
    changes = {**update, "updated_at": to_storage(moment)}
    if bump_version:
        changes["version"] = ticket.version + 1
    new_ticket = ticket.model_copy(update=changes)
    entry = _entry(new_ticket, event_type, actor, moment, from_status=ticket.status, to_status=ticket.status,
                   note=note, internal=True, data=data)
    return Change(ticket=new_ticket, entries=[entry], expected_version=ticket.version)


def with_new_code(change: Change, prefix: str) -> Change:
    """The same new ticket under another tracking code (after a code collision)."""
    code = ids.new_tracking_code(prefix)
    ticket = change.ticket.model_copy(update={"tracking_code": code})
    entries = [entry.model_copy(update={"tracking_code": code}) for entry in change.entries]
    return Change(ticket=ticket, entries=entries, expected_version=None)


def _require(command: Command, names: tuple[str, ...]) -> None:
    missing = [name for name in names if not (getattr(command, name) or "").strip()]
    if missing:
        raise Unprocessable(
            f"{command.action.value} needs {', '.join(missing)}",
            details=[{"field": name, "message": "required for this action"} for name in missing],
        )


def _check_version(ticket: Ticket, expected: int) -> None:
    if ticket.version != expected:
        raise Conflict(
            f"the complaint changed since you loaded it (now version {ticket.version})",
            details={"current_version": ticket.version, "expected_version": expected},
            code="version_conflict",
        )


def apply(ticket: Ticket, command: Command, principal: Principal, policy: Policy, moment: datetime) -> Change:
    roles = access.acting_roles(principal, ticket)
    if not roles:
        access.require_view(principal, ticket)  # says 404 to strangers, 403 to out-of-scope officers
        raise Forbidden(f"you may not act on {ticket.tracking_code}")
    try:
        row = find_transition(command.action, ticket.status, roles)
        target = resolve_target(row, ticket.resume_status)
    except TransitionRefused as refused:
        if refused.reason == "forbidden_role":
            raise Forbidden(str(refused), code="forbidden_action") from None
        raise Conflict(str(refused), details={"status": ticket.status.value}, code="invalid_transition") from None
    _check_version(ticket, command.expected_version)
    _require(command, row.requires)
    acting_role = next(role for role in (Role.SYSTEM, Role.SUPERVISOR, Role.VERIFIER, Role.AGENCY_OFFICER,
                                         Role.CITIZEN) if role in roles & row.roles)
    update, data = _effects(ticket, command, target, policy, moment)
    stamp = to_storage(moment)
    update.update(status=target, updated_at=stamp, version=ticket.version + 1)
    if target != ticket.status:
        update["status_since"] = stamp
    new_ticket = ticket.model_copy(update=update)
    note = command.note or command.reason or command.response
    entry = _entry(
        new_ticket, row.event_type, _actor(principal, acting_role), moment,
        from_status=ticket.status, to_status=target, action=command.action.value, note=note, data=data,
    )
    return Change(ticket=new_ticket, entries=[entry], expected_version=ticket.version)


def _effects(
    ticket: Ticket, command: Command, target: Status, policy: Policy, moment: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Field changes and event data specific to an action."""
    action = command.action
    update: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if action == Action.ASSIGN:
        agency = (command.agency_id or "").strip()
        if agency not in policy.agency_ids:
            raise Unprocessable(f"unknown agency {agency!r}",
                                details=[{"field": "agency_id", "message": "not a configured agency"}])
        if ticket.status == Status.ASSIGNED and agency == ticket.assigned_agency_id:
            raise Conflict(f"{ticket.tracking_code} is already assigned to {agency}", code="invalid_transition")
        update["assigned_agency_id"] = agency
        data = {"agency_id": agency, "previous_agency_id": ticket.assigned_agency_id}
    elif action == Action.REQUEST_INFO:
        update["resume_status"] = ticket.status
    elif action == Action.PROVIDE_INFO:
        update["resume_status"] = None
    elif action == Action.REJECT:
        update["rejection_reason"] = command.reason
        data = {"reason": command.reason}
    elif action == Action.MARK_DUPLICATE:
        parent = (command.duplicate_of or "").strip()
        if parent == ticket.tracking_code:
            raise Unprocessable("a complaint cannot duplicate itself",
                                details=[{"field": "duplicate_of", "message": "same complaint"}])
        update["duplicate_of"] = parent
        data = {"duplicate_of": parent}
    elif action == Action.NOT_OUR_AUTHORITY:
        data = {"agency_id": ticket.assigned_agency_id, "reason": command.reason}
        update["returned_by"] = [*ticket.returned_by, ticket.assigned_agency_id or ""]
        update["assigned_agency_id"] = None
    elif action == Action.RESOLVE:
        update["resolution"] = command.response
        update["resolved_at"] = to_storage(moment)
        data = {"agency_id": ticket.assigned_agency_id}
    elif action == Action.REOPEN:
        _require_within_window(ticket, policy, moment)
        update["reopen_count"] = ticket.reopen_count + 1
        update["resolution"] = None
        data = {"reason": command.reason, "agency_id": ticket.assigned_agency_id}
    elif action == Action.CLOSE:
        update["closed_at"] = to_storage(moment)
    return update, data


def _require_within_window(ticket: Ticket, policy: Policy, moment: datetime) -> None:
    if ticket.resolved_at is None:
        return
    deadline = from_storage(ticket.resolved_at) + timedelta(days=policy.reopen_window_days)
    if moment > deadline:
        raise Conflict(
            f"the {policy.reopen_window_days}-day window to reopen ended on {to_storage(deadline)}",
            details={"window_ended_at": to_storage(deadline)},
            code="reopen_window_closed",
        )


def comment(ticket: Ticket, text: str, principal: Principal, internal: bool, policy: Policy,
            moment: datetime) -> Change:
    """A comment; a citizen's reply while we wait for them also resumes the ticket."""
    roles = access.acting_roles(principal, ticket)
    if not roles:
        access.require_view(principal, ticket)
        raise Forbidden(f"you may not comment on {ticket.tracking_code}")
    if internal and not principal.is_officer:
        raise Forbidden("only officers can write internal notes")
    role = Role.CITIZEN if roles == {Role.CITIZEN} else next(iter(sorted(roles - {Role.CITIZEN})))
    entry = _entry(ticket, EventType.COMMENT_ADDED, _actor(principal, role), moment,
                   from_status=ticket.status, to_status=ticket.status, note=text, internal=internal)
    if ticket.status == Status.NEED_INFO and role == Role.CITIZEN:
        resumed = apply(ticket, Command(Action.PROVIDE_INFO, ticket.version, note=text), principal, policy,
                        moment)
        return Change(resumed.ticket, [entry, *resumed.entries], ticket.version)
    return Change(ticket=ticket, entries=[entry], expected_version=None)


def rate(ticket: Ticket, score: int, text: str | None, principal: Principal, moment: datetime) -> Change:
    if not access.is_owner(principal, ticket):
        access.require_view(principal, ticket)
        raise Forbidden("only the reporter can rate the result")
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise Conflict("a complaint can be rated once it is resolved", code="invalid_transition",
                       details={"status": ticket.status.value})
    if ticket.rating is not None:
        raise Conflict("this complaint has already been rated", code="already_rated")
    stamp = to_storage(moment)
    new_ticket = ticket.model_copy(update={
        "rating": Rating(score=score, comment=text, given_at=stamp),
        "updated_at": stamp,
        "version": ticket.version + 1,
    })
    entry = _entry(new_ticket, EventType.RATING_GIVEN, _actor(principal, Role.CITIZEN), moment,
                   from_status=ticket.status, to_status=ticket.status, note=text,
                   data={"score": score, "agency_id": ticket.assigned_agency_id})
    return Change(ticket=new_ticket, entries=[entry], expected_version=ticket.version)
