"""Lifecycle operations without AWS: a ticket through its whole life, and every refusal."""

from datetime import UTC, datetime, timedelta

import pytest

from aduan.logic import lifecycle
from aduan.logic.access import SYSTEM, Principal
from aduan.logic.errors import Conflict, Forbidden, NotFound, Unprocessable
from aduan.logic.lifecycle import Command
from aduan.logic.status_machine import Action, EventType, Role, Status
from aduan.models.ticket import Channel, Reporter, Ticket

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
CITIZEN = Principal("citizen-1", frozenset({Role.CITIZEN}), name="Sari")
STRANGER = Principal("citizen-2", frozenset({Role.CITIZEN}))
VERIFIER = Principal("verifier-1", frozenset({Role.VERIFIER}))
DPU = Principal("officer-dpu", frozenset({Role.AGENCY_OFFICER}), agency_id="dpu")
DLH = Principal("officer-dlh", frozenset({Role.AGENCY_OFFICER}), agency_id="dlh")
POLICY = lifecycle.Policy(reopen_window_days=10, agency_ids=frozenset({"dpu", "dlh"}))


def new_ticket(anonymous: bool = False) -> Ticket:
    draft = lifecycle.Draft(title="Jalan berlubang", text="Lubang besar di Jl. Pandanaran", channel=Channel.APP,
                            reporter=Reporter(ref=CITIZEN.sub, name="Sari"), anonymous=anonymous)
    change = lifecycle.open_ticket(draft, CITIZEN, "ADU", T0)
    assert change.entries[0].event_type == EventType.TICKET_CREATED
    return change.ticket


def act(ticket: Ticket, who: Principal, action: Action, minutes: int = 1, **fields: str) -> Ticket:
    change = lifecycle.apply(ticket, Command(action, ticket.version, **fields), who, POLICY,
                             T0 + timedelta(minutes=minutes))
    assert change.expected_version == ticket.version
    assert change.ticket.version == ticket.version + 1
    [entry] = change.entries
    assert (entry.from_status, entry.to_status) == (ticket.status, change.ticket.status)
    assert entry.actor.id == who.sub
    return change.ticket


def test_whole_life_of_a_complaint() -> None:
    ticket = new_ticket()
    assert ticket.status == Status.RECEIVED and ticket.version == 1
    ticket = act(ticket, VERIFIER, Action.VERIFY)
    ticket = act(ticket, VERIFIER, Action.ASSIGN, agency_id="dpu")
    assert ticket.assigned_agency_id == "dpu"
    ticket = act(ticket, DPU, Action.ACCEPT)
    ticket = act(ticket, DPU, Action.START)
    ticket = act(ticket, DPU, Action.RESOLVE, response="Lubang sudah ditambal")
    assert ticket.resolution == "Lubang sudah ditambal" and ticket.resolved_at
    ticket = act(ticket, CITIZEN, Action.CLOSE)
    assert ticket.status == Status.CLOSED and ticket.closed_at


def test_stale_version_is_a_conflict_and_changes_nothing() -> None:
    ticket = new_ticket()
    with pytest.raises(Conflict) as conflict:
        lifecycle.apply(ticket, Command(Action.VERIFY, 7), VERIFIER, POLICY, T0)
    assert conflict.value.code == "version_conflict"
    assert ticket.status == Status.RECEIVED and ticket.version == 1


def test_illegal_transition_is_refused_with_409() -> None:
    with pytest.raises(Conflict) as refused:
        act(new_ticket(), VERIFIER, Action.RESOLVE, response="x")
    assert refused.value.code == "invalid_transition" and refused.value.status == 409


def test_required_fields_per_action() -> None:
    ticket = new_ticket()
    with pytest.raises(Unprocessable) as missing:
        act(ticket, VERIFIER, Action.REJECT)
    assert missing.value.details == [{"field": "reason", "message": "required for this action"}]
    verified = act(ticket, VERIFIER, Action.VERIFY)
    with pytest.raises(Unprocessable):
        act(verified, VERIFIER, Action.ASSIGN, agency_id="no-such-agency")


def test_agency_officer_acts_only_on_own_agency() -> None:
    ticket = act(act(new_ticket(), VERIFIER, Action.VERIFY), VERIFIER, Action.ASSIGN, agency_id="dpu")
    with pytest.raises(Forbidden):
        act(ticket, DLH, Action.ACCEPT)
    with pytest.raises(Forbidden):
        act(ticket, DPU, Action.ASSIGN, agency_id="dlh")  # the desk disposes, not the agency


def test_citizen_cannot_act_as_officer_and_strangers_see_nothing() -> None:
    ticket = new_ticket()
    with pytest.raises(Forbidden):
        act(ticket, CITIZEN, Action.VERIFY)
    with pytest.raises(NotFound):
        act(ticket, STRANGER, Action.CLOSE)


def test_not_our_authority_returns_to_desk_and_keeps_history() -> None:
    ticket = act(act(new_ticket(), VERIFIER, Action.VERIFY), VERIFIER, Action.ASSIGN, agency_id="dlh")
    returned = act(ticket, DLH, Action.NOT_OUR_AUTHORITY, reason="Jalan kota, wewenang DPU")
    assert returned.status == Status.RETURNED and returned.assigned_agency_id is None
    assert returned.returned_by == ["dlh"]
    reassigned = act(returned, VERIFIER, Action.ASSIGN, agency_id="dpu")
    assert reassigned.assigned_agency_id == "dpu"


def test_need_info_resumes_where_it_waited() -> None:
    ticket = act(act(act(new_ticket(), VERIFIER, Action.VERIFY), VERIFIER, Action.ASSIGN, agency_id="dpu"),
                 DPU, Action.START)
    waiting = act(ticket, DPU, Action.REQUEST_INFO, note="Mohon foto lokasi")
    assert waiting.status == Status.NEED_INFO and waiting.resume_status == Status.IN_PROGRESS
    change = lifecycle.comment(waiting, "Sudah saya lampirkan", CITIZEN, False, POLICY, T0 + timedelta(hours=1))
    assert change.ticket.status == Status.IN_PROGRESS and change.ticket.resume_status is None
    assert [entry.event_type for entry in change.entries] == [EventType.COMMENT_ADDED,
                                                              EventType.TICKET_STATUS_CHANGED]


def resolved_ticket() -> Ticket:
    ticket = act(act(new_ticket(), VERIFIER, Action.VERIFY), VERIFIER, Action.ASSIGN, agency_id="dpu")
    return act(act(ticket, DPU, Action.START), DPU, Action.RESOLVE, response="Sudah diperbaiki")


def test_reopen_within_window_then_assigned_again() -> None:
    ticket = resolved_ticket()
    reopened = act(ticket, CITIZEN, Action.REOPEN, minutes=60 * 24 * 3, reason="Masih berlubang")
    assert reopened.status == Status.REOPENED and reopened.reopen_count == 1
    assert act(reopened, VERIFIER, Action.ASSIGN, agency_id="dpu").status == Status.ASSIGNED


def test_reopen_after_window_is_refused() -> None:
    with pytest.raises(Conflict) as late:
        act(resolved_ticket(), CITIZEN, Action.REOPEN, minutes=60 * 24 * 11, reason="Masih berlubang")
    assert late.value.code == "reopen_window_closed"


def test_system_closes_resolved_tickets() -> None:
    closed = act(resolved_ticket(), SYSTEM, Action.CLOSE)
    assert closed.status == Status.CLOSED


def test_rating_only_after_resolution_once_and_by_reporter() -> None:
    with pytest.raises(Conflict):
        lifecycle.rate(new_ticket(), 5, None, CITIZEN, T0)
    ticket = resolved_ticket()
    with pytest.raises(NotFound):
        lifecycle.rate(ticket, 5, None, STRANGER, T0)
    rated = lifecycle.rate(ticket, 4, "Cepat", CITIZEN, T0).ticket
    assert rated.rating is not None and rated.rating.score == 4
    with pytest.raises(Conflict):
        lifecycle.rate(rated, 5, None, CITIZEN, T0)


def test_internal_notes_are_for_officers() -> None:
    with pytest.raises(Forbidden):
        lifecycle.comment(new_ticket(), "psst", CITIZEN, True, POLICY, T0)
    change = lifecycle.comment(new_ticket(), "Cek lokasi dulu", VERIFIER, True, POLICY, T0)
    assert change.entries[0].internal and change.expected_version is None
