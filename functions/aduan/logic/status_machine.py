"""The complaint lifecycle as one table: which action moves a ticket from which statuses to which,
who may take it and what it must carry. Everything else (API, timers, tests) reads this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    ON_HOLD = "on_hold"
    NEED_INFO = "need_info"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    ASSIGNED = "assigned"
    FORWARDED = "forwarded"  # sent to a body outside the city government; we wait for its answer
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RETURNED = "returned"
    IN_REVIEW = "in_review"  # the agency answered; the desk checks the answer before the citizen hears it
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"


class Role(StrEnum):
    CITIZEN = "citizen"
    VERIFIER = "verifier"
    AGENCY_OFFICER = "agency_officer"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"
    # Contextual, never a Cognito group: an agency officer whose agency sits above the holder in the
    # ticket's agency path (an OPD over its bidang, a kecamatan over its kelurahan) keeps oversight.
    PARENT_AGENCY = "parent_agency"


class Action(StrEnum):
    VERIFY = "verify"
    HOLD = "hold"
    REJECT = "reject"
    MARK_DUPLICATE = "mark_duplicate"
    REQUEST_INFO = "request_info"
    PROVIDE_INFO = "provide_info"
    ASSIGN = "assign"
    ACCEPT = "accept"
    START = "start"
    NOT_OUR_AUTHORITY = "not_our_authority"
    DISPOSE = "dispose"  # an agency passes the complaint down to one of its own sub-units
    RETURN_UP = "return_up"  # a sub-unit hands it back to its parent agency
    FORWARD = "forward"
    RECORD_EXTERNAL_ANSWER = "record_external_answer"
    RESOLVE = "resolve"
    APPROVE_ANSWER = "approve_answer"
    RETURN_ANSWER = "return_answer"
    SET_TYPE = "set_type"
    REOPEN = "reopen"
    CLOSE = "close"
    CLOSE_INCOMPLETE = "close_incomplete"  # the reporter never supplied what was asked for


class EventType(StrEnum):
    TICKET_CREATED = "TicketCreated"
    TICKET_VERIFIED = "TicketVerified"
    TICKET_ASSIGNED = "TicketAssigned"
    TICKET_FORWARDED = "TicketForwarded"
    TICKET_STATUS_CHANGED = "TicketStatusChanged"
    TICKET_RESOLVED = "TicketResolved"
    TICKET_CLOSED = "TicketClosed"
    TICKET_REOPENED = "TicketReopened"
    COMMENT_ADDED = "CommentAdded"
    RATING_GIVEN = "RatingGiven"
    TICKET_ROUTED = "TicketRouted"
    DUPLICATE_MERGED = "DuplicateMerged"
    # Written by the SLA engine (published with Source "aduan.sla").
    SLA_REMINDER = "SlaReminder"
    SLA_BREACHED = "SlaBreached"
    SLA_ESCALATED = "SlaEscalated"
    SLA_CLOCK_STOPPED = "SlaClockStopped"
    # A notification's delivery attempt or provider status (internal: officers see it, citizens do not).
    NOTIFICATION_RECORDED = "NotificationRecorded"


# Marks a transition whose target is the status the ticket was in before it waited for the citizen.
RESUME = "resume"
# Marks a transition that changes something other than the status (the complaint type).
STAY = "stay"

S, R = Status, Role
DESK = frozenset({R.VERIFIER, R.SUPERVISOR})
AGENCY = frozenset({R.AGENCY_OFFICER, R.SUPERVISOR})
HOLDER = frozenset({R.AGENCY_OFFICER})
DESK_OPEN = frozenset({S.RECEIVED, S.VERIFIED, S.ON_HOLD, S.RETURNED, S.REOPENED})
AGENCY_OPEN = frozenset({S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS})


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status | str  # a Status, RESUME or STAY
    roles: frozenset[Role]
    requires: tuple[str, ...] = ()
    event_type: EventType = EventType.TICKET_STATUS_CHANGED
    desk_review: bool | None = None  # the row applies only when the city's desk review of answers is on/off


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.VERIFY, frozenset({S.RECEIVED, S.ON_HOLD}), S.VERIFIED, DESK,
               event_type=EventType.TICKET_VERIFIED),
    Transition(Action.HOLD, frozenset({S.RECEIVED, S.VERIFIED, S.RETURNED}), S.ON_HOLD, DESK, ("note",)),
    Transition(Action.REJECT, DESK_OPEN - {S.REOPENED}, S.REJECTED, DESK, ("reason",)),
    Transition(Action.MARK_DUPLICATE, DESK_OPEN - {S.REOPENED}, S.DUPLICATE, DESK, ("duplicate_of",)),
    Transition(Action.REQUEST_INFO, frozenset({S.RECEIVED, S.VERIFIED, S.ON_HOLD}), S.NEED_INFO, DESK,
               ("note",)),
    Transition(Action.REQUEST_INFO, AGENCY_OPEN, S.NEED_INFO, AGENCY, ("note",)),
    Transition(Action.PROVIDE_INFO, frozenset({S.NEED_INFO}), RESUME,
               frozenset({R.CITIZEN, R.VERIFIER, R.AGENCY_OFFICER, R.SUPERVISOR}), ("note",)),
    Transition(Action.ASSIGN, frozenset({S.VERIFIED, S.RETURNED, S.REOPENED}), S.ASSIGNED, DESK,
               ("agency_id",), EventType.TICKET_ASSIGNED),
    # Taking a complaint away from the agency (or external body) holding it is a reassignment: it always
    # says why.
    Transition(Action.ASSIGN, frozenset({S.ASSIGNED, S.FORWARDED}), S.ASSIGNED, DESK, ("agency_id", "reason"),
               EventType.TICKET_ASSIGNED),
    # Outside the city government (PDAM, PLN, the province, a ministry, SP4N-LAPOR!): the desk forwards
    # it with what it asks of them (note); their answer is recorded by the desk or arrives by signed
    # callback (system), and is relayed to the reporter (docs/organisation.md#forwarding).
    Transition(Action.FORWARD, frozenset({S.VERIFIED, S.RETURNED, S.REOPENED, S.ON_HOLD}), S.FORWARDED, DESK,
               ("agency_id", "note"), EventType.TICKET_FORWARDED),
    Transition(Action.RECORD_EXTERNAL_ANSWER, frozenset({S.FORWARDED}), S.RESOLVED, DESK, ("response",),
               EventType.TICKET_RESOLVED),
    Transition(Action.RECORD_EXTERNAL_ANSWER, frozenset({S.FORWARDED}), S.RESOLVED, frozenset({R.SYSTEM}),
               ("response",), EventType.TICKET_RESOLVED, desk_review=False),
    Transition(Action.RECORD_EXTERNAL_ANSWER, frozenset({S.FORWARDED}), S.IN_REVIEW, frozenset({R.SYSTEM}),
               ("response",), desk_review=True),
    # Triage assigns on its own only where a routing rule allows it and the classifier is sure.
    Transition(Action.ASSIGN, frozenset({S.RECEIVED}), S.ASSIGNED, frozenset({R.SYSTEM}), ("agency_id",),
               EventType.TICKET_ASSIGNED),
    Transition(Action.ACCEPT, frozenset({S.ASSIGNED}), S.ACCEPTED, AGENCY),
    Transition(Action.START, frozenset({S.ASSIGNED, S.ACCEPTED}), S.IN_PROGRESS, AGENCY),
    Transition(Action.NOT_OUR_AUTHORITY, frozenset({S.ASSIGNED, S.ACCEPTED}), S.RETURNED, AGENCY, ("reason",)),
    # Disposition inside the agency: the holder passes it down with an instruction (note); the parent
    # may redirect it to another of its sub-units or take it back, always with a reason (lifecycle checks).
    Transition(Action.DISPOSE, AGENCY_OPEN, S.ASSIGNED, frozenset({R.AGENCY_OFFICER, R.PARENT_AGENCY}),
               ("agency_id", "note"), EventType.TICKET_ASSIGNED),
    Transition(Action.RETURN_UP, AGENCY_OPEN, S.ASSIGNED, HOLDER, ("reason",), EventType.TICKET_ASSIGNED),
    Transition(Action.RESOLVE, frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.RESOLVED, AGENCY, ("response",),
               EventType.TICKET_RESOLVED, desk_review=False),
    # With desk review on, the answer waits for the desk; the citizen hears it only once approved.
    Transition(Action.RESOLVE, frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.IN_REVIEW, AGENCY, ("response",),
               desk_review=True),
    Transition(Action.APPROVE_ANSWER, frozenset({S.IN_REVIEW}), S.RESOLVED, DESK,
               event_type=EventType.TICKET_RESOLVED),
    Transition(Action.RETURN_ANSWER, frozenset({S.IN_REVIEW}), S.IN_PROGRESS, DESK, ("note",)),
    Transition(Action.SET_TYPE, DESK_OPEN | {S.NEED_INFO}, STAY, DESK, ("complaint_type",)),
    Transition(Action.REOPEN, frozenset({S.RESOLVED}), S.REOPENED, frozenset({R.CITIZEN, R.SUPERVISOR}),
               ("reason",), EventType.TICKET_REOPENED),
    Transition(Action.CLOSE, frozenset({S.RESOLVED}), S.CLOSED,
               frozenset({R.CITIZEN, R.SUPERVISOR, R.SYSTEM}), event_type=EventType.TICKET_CLOSED),
    # The hard cap on waiting for the reporter (docs/sla.md): the SLA sweeper closes it as incomplete.
    Transition(Action.CLOSE_INCOMPLETE, frozenset({S.NEED_INFO}), S.CLOSED, frozenset({R.SYSTEM}),
               event_type=EventType.TICKET_CLOSED),
)

TERMINAL = frozenset({S.REJECTED, S.DUPLICATE, S.CLOSED})
# Statuses where the ticket waits on the agency; every other status is the desk's to act on.
AGENCY_OWNED = AGENCY_OPEN | {S.RESOLVED, S.CLOSED}
# The agency still sees its answer while the desk reviews it (the review queue itself is the desk's).
AGENCY_VISIBLE = AGENCY_OWNED | {S.IN_REVIEW}

LABELS: dict[Status, tuple[str, str]] = {
    S.RECEIVED: ("Diterima", "Received"),
    S.VERIFIED: ("Terverifikasi", "Verified"),
    S.ON_HOLD: ("Ditunda", "On hold"),
    S.NEED_INFO: ("Menunggu informasi pelapor", "Waiting for information from the reporter"),
    S.REJECTED: ("Diarsipkan (ditolak)", "Archived (rejected)"),
    S.DUPLICATE: ("Duplikat", "Duplicate"),
    S.ASSIGNED: ("Didisposisikan", "Assigned to an agency"),
    S.FORWARDED: ("Diteruskan ke instansi di luar Pemerintah Kota", "Forwarded to a body outside the city government"),
    S.ACCEPTED: ("Diterima instansi", "Accepted by the agency"),
    S.IN_PROGRESS: ("Sedang ditindaklanjuti", "In progress"),
    S.RETURNED: ("Dikembalikan ke verifikator", "Returned to the desk"),
    S.IN_REVIEW: ("Jawaban diperiksa verifikator", "Answer under desk review"),
    S.RESOLVED: ("Selesai ditindaklanjuti", "Resolved"),
    S.REOPENED: ("Dibuka kembali", "Reopened"),
    S.CLOSED: ("Ditutup", "Closed"),
}


class TransitionRefused(Exception):
    """The action is not allowed: `reason` is 'invalid_transition' or 'forbidden_role'."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _applies(row: Transition, current: Status, desk_review: bool) -> bool:
    return current in row.sources and row.desk_review in (None, desk_review)


def find_transition(action: Action, current: Status, roles: frozenset[Role], desk_review: bool = False
                    ) -> Transition:
    """The table row that applies, or TransitionRefused saying why none does."""
    from_here = [row for row in TRANSITIONS if row.action == action and _applies(row, current, desk_review)]
    if not from_here:
        raise TransitionRefused("invalid_transition", f"cannot {action.value} a ticket that is {current.value}")
    for row in from_here:
        if row.roles & roles:
            return row
    allowed = sorted({role.value for row in from_here for role in row.roles})
    raise TransitionRefused(
        "forbidden_role", f"{action.value} from {current.value} is for {', '.join(allowed)}"
    )


def resolve_target(row: Transition, resume_status: Status | None, current: Status | None = None) -> Status:
    if row.target == STAY:
        if current is None:
            raise TransitionRefused("invalid_transition", "the ticket has no status to stay in")
        return current
    if row.target == RESUME:
        if resume_status is None:
            raise TransitionRefused("invalid_transition", "the ticket has no status to resume")
        return resume_status
    return Status(row.target)


def actions_available(current: Status, roles: frozenset[Role], desk_review: bool = False) -> list[Action]:
    return sorted(
        {row.action for row in TRANSITIONS if _applies(row, current, desk_review) and row.roles & roles},
        key=lambda action: list(Action).index(action),
    )
