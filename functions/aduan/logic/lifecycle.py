"""Pure lifecycle operations: a ticket and a command in, the new ticket and its timeline entries out.
Nothing here touches AWS; the service persists the result in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from aduan.models.config import NOT_ASSIGNABLE, CityConfig
from aduan.models.ticket import (  # Change: what a step stores, the unit dal/tickets.py saves
    Actor,
    Change,
    Channel,
    ComplaintType,
    Location,
    Priority,
    Rating,
    Reporter,
    Ticket,
    TimelineEntry,
)


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
    complaint_type: ComplaintType = ComplaintType.PENGADUAN


@dataclass(frozen=True)
class Command:
    action: Action
    expected_version: int
    note: str | None = None
    reason: str | None = None
    agency_id: str | None = None
    duplicate_of: str | None = None
    response: str | None = None
    complaint_type: str | None = None


@dataclass(frozen=True)
class Policy:
    """The configuration a lifecycle decision needs."""

    reopen_window_days: int
    agency_ids: frozenset[str] = field(default_factory=frozenset)
    parents: Mapping[str, str | None] = field(default_factory=dict)  # agency -> its parent (the hierarchy)
    desk_review: bool = False  # answers go to the desk before the citizen
    forwardable: frozenset[str] = field(default_factory=frozenset)  # bodies outside the city we forward to

    @classmethod
    def of(cls, config: CityConfig) -> Policy:
        assignable = frozenset(agency.id for agency in config.agencies if agency.kind not in NOT_ASSIGNABLE)
        return cls(reopen_window_days=config.settings.reopen_window_days, agency_ids=assignable,
                   parents={agency.id: agency.parent_id for agency in config.agencies},
                   desk_review=config.settings.desk_review_answers,
                   forwardable=frozenset(agency.id for agency in config.agencies if agency.forward))

    def path(self, agency_id: str) -> list[str]:
        """The agency and every assignable agency above it, top first."""
        chain = [agency_id]
        parent = self.parents.get(agency_id)
        while parent is not None and parent in self.agency_ids and parent not in chain:
            chain.insert(0, parent)
            parent = self.parents.get(parent)
        return chain

    def tops(self) -> dict[str, str]:
        """Each sub-unit -> the agency at the top of its path (whose tree it belongs to)."""
        return {agency: path[0] for agency in self.agency_ids if len(path := self.path(agency)) > 1}


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
        complaint_type=draft.complaint_type,
        created_at=stamp,
        updated_at=stamp,
        status_since=stamp,
    )
    entry = _entry(
        ticket, EventType.TICKET_CREATED, _actor(principal, principal.primary_role), moment,
        to_status=Status.RECEIVED,
        data={"channel": draft.channel.value, "category_id": draft.category_id,
              "complaint_type": draft.complaint_type.value},
    )
    return Change(ticket=ticket, entries=[entry], expected_version=None, new=True)


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
    return Change(ticket=ticket, entries=entries, expected_version=None, new=True)


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
        row = find_transition(command.action, ticket.status, roles, policy.desk_review)
        target = resolve_target(row, ticket.resume_status, ticket.status)
    except TransitionRefused as refused:
        if refused.reason == "forbidden_role":
            raise Forbidden(str(refused), code="forbidden_action") from None
        raise Conflict(str(refused), details={"status": ticket.status.value}, code="invalid_transition") from None
    _check_version(ticket, command.expected_version)
    _require(command, row.requires)
    acting_role = next(role for role in (Role.SYSTEM, Role.SUPERVISOR, Role.VERIFIER, Role.AGENCY_OFFICER,
                                         Role.PARENT_AGENCY, Role.CITIZEN) if role in roles & row.roles)
    update, data = _effects(ticket, command, target, policy, moment)
    if command.action in (Action.DISPOSE, Action.RETURN_UP):
        data.update(_within_agency(ticket, command, principal, acting_role, policy))
        update.update(assigned_agency_id=data["agency_id"], agency_path=policy.path(data["agency_id"]))
    stamp = to_storage(moment)
    update.update(status=target, updated_at=stamp, version=ticket.version + 1)
    if target != ticket.status:
        update["status_since"] = stamp
    new_ticket = ticket.model_copy(update=update)
    note = command.note or command.reason or command.response
    entry = _entry(
        new_ticket, row.event_type, _actor(principal, acting_role), moment,
        from_status=ticket.status, to_status=target, action=command.action.value, note=note, data=data,
        internal=command.action in INTERNAL_ACTIONS or target == Status.IN_REVIEW,
    )
    return Change(ticket=new_ticket, entries=[entry], expected_version=ticket.version)


# Work between the desk and agency units, not news for the reporter: the citizen sees the status only.
INTERNAL_ACTIONS = frozenset({Action.DISPOSE, Action.RETURN_UP, Action.RETURN_ANSWER})


def _within_agency(ticket: Ticket, command: Command, principal: Principal, acting_role: Role, policy: Policy
                   ) -> dict[str, Any]:
    """Where a dispose or return_up sends the complaint inside the agency hierarchy, and why."""
    holder = ticket.assigned_agency_id or ""
    if command.action == Action.RETURN_UP:
        parent = policy.parents.get(holder)
        if parent is None or parent not in ticket.agency_path:
            raise Conflict(f"{holder} has no parent agency on this complaint: use not_our_authority to return "
                           "it to the desk", code="invalid_transition")
        return {"agency_id": parent, "previous_agency_id": holder, "reason": command.reason,
                "level": len(policy.path(parent))}
    own = principal.agency_id or ""
    target = (command.agency_id or "").strip()
    below_own = own in policy.path(target)[:-1] if target in policy.agency_ids else False
    taking_back = acting_role == Role.PARENT_AGENCY and target == own
    if not (below_own or taking_back):
        raise Unprocessable(f"{target!r} is not a sub-unit of {own}",
                            details=[{"field": "agency_id", "message": "dispose to one of your own sub-units"}])
    if target == holder:
        raise Conflict(f"{ticket.tracking_code} is already with {target}", code="invalid_transition")
    if holder != own:
        # Redirecting (or taking back) what another unit holds is a reassignment: it must say why.
        _require(command, ("reason",))
    return {"agency_id": target, "previous_agency_id": holder, "by_agency_id": own,
            "instruction": command.note, "reason": command.reason, "level": len(policy.path(target))}


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
        update["agency_path"] = policy.path(agency)
        data = {"agency_id": agency, "previous_agency_id": ticket.assigned_agency_id, "reason": command.reason,
                "level": len(update["agency_path"])}
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
        if len(ticket.agency_path) > 1:
            raise Conflict(f"{ticket.assigned_agency_id} was given this by {ticket.agency_path[-2]}: hand it back "
                           "with return_up", code="invalid_transition")
        data = {"agency_id": ticket.assigned_agency_id, "reason": command.reason}
        update["returned_by"] = [*ticket.returned_by, ticket.assigned_agency_id or ""]
        update["assigned_agency_id"] = None
        update["agency_path"] = []
    elif action == Action.FORWARD:
        body = (command.agency_id or "").strip()
        if body not in policy.forwardable:
            raise Unprocessable(f"{body!r} is not a body we forward to",
                                details=[{"field": "agency_id", "message": "an agency with a forward setting"}])
        update.update(assigned_agency_id=body, agency_path=[body])
        data = {"agency_id": body, "previous_agency_id": ticket.assigned_agency_id}
    elif action in (Action.RESOLVE, Action.RECORD_EXTERNAL_ANSWER) and target == Status.IN_REVIEW:
        update["answer_draft"] = command.response
        data = {"agency_id": ticket.assigned_agency_id}
    elif action in (Action.RESOLVE, Action.RECORD_EXTERNAL_ANSWER):
        update["resolution"] = command.response
        update["resolved_at"] = to_storage(moment)
        data = {"agency_id": ticket.assigned_agency_id}
    elif action == Action.APPROVE_ANSWER:
        update.update(resolution=ticket.answer_draft, answer_draft=None, resolved_at=to_storage(moment))
        data = {"agency_id": ticket.assigned_agency_id}
    elif action == Action.RETURN_ANSWER:
        data = {"agency_id": ticket.assigned_agency_id}
    elif action == Action.SET_TYPE:
        update["complaint_type"] = _complaint_type(command.complaint_type)
        data = {"complaint_type": update["complaint_type"].value, "previous_type": ticket.complaint_type.value}
    elif action == Action.REOPEN:
        _require_within_window(ticket, policy, moment)
        update["reopen_count"] = ticket.reopen_count + 1
        update["resolution"] = None
        data = {"reason": command.reason, "agency_id": ticket.assigned_agency_id}
    elif action in (Action.CLOSE, Action.CLOSE_INCOMPLETE):
        update["closed_at"] = to_storage(moment)
        update["resume_status"] = None
    return update, data


def _complaint_type(text: str | None) -> ComplaintType:
    try:
        return ComplaintType((text or "").strip())
    except ValueError:
        raise Unprocessable(f"unknown complaint type {text!r}", details=[{
            "field": "complaint_type", "message": f"one of {', '.join(t.value for t in ComplaintType)}"}]) from None


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
