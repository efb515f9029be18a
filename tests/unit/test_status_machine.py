"""The lifecycle table checked against the specification, for every (status, action, role)."""

import itertools

import pytest

from aduan.logic.status_machine import (
    RESUME,
    STAY,
    Action,
    Role,
    Status,
    TransitionRefused,
    actions_available,
    find_transition,
    resolve_target,
)

S, A, R = Status, Action, Role
DESK = {R.VERIFIER, R.SUPERVISOR}
AGENCY = {R.AGENCY_OFFICER, R.SUPERVISOR}

# (action, from) -> (to, roles): written from the lifecycle, independently of the code.
SPEC: dict[tuple[Action, Status], tuple[Status | str, set[Role]]] = {}
for source in (S.RECEIVED, S.ON_HOLD):
    SPEC[(A.VERIFY, source)] = (S.VERIFIED, DESK)
for source in (S.RECEIVED, S.VERIFIED, S.RETURNED):
    SPEC[(A.HOLD, source)] = (S.ON_HOLD, DESK)
for source in (S.RECEIVED, S.VERIFIED, S.ON_HOLD, S.RETURNED):
    SPEC[(A.REJECT, source)] = (S.REJECTED, DESK)
    SPEC[(A.MARK_DUPLICATE, source)] = (S.DUPLICATE, DESK)
for source in (S.RECEIVED, S.VERIFIED, S.ON_HOLD):
    SPEC[(A.REQUEST_INFO, source)] = (S.NEED_INFO, DESK)
for source in (S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS):
    SPEC[(A.REQUEST_INFO, source)] = (S.NEED_INFO, AGENCY)
SPEC[(A.PROVIDE_INFO, S.NEED_INFO)] = (RESUME, {R.CITIZEN, R.VERIFIER, R.AGENCY_OFFICER, R.SUPERVISOR})
for source in (S.VERIFIED, S.RETURNED, S.REOPENED, S.ASSIGNED):
    SPEC[(A.ASSIGN, source)] = (S.ASSIGNED, DESK)
for source in (S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS):
    # Inside the agency: the holder disposes down, the parent redirects; only the holder returns it up.
    SPEC[(A.DISPOSE, source)] = (S.ASSIGNED, {R.AGENCY_OFFICER, R.PARENT_AGENCY})
    SPEC[(A.RETURN_UP, source)] = (S.ASSIGNED, {R.AGENCY_OFFICER})
for source in (S.RECEIVED, S.VERIFIED, S.ON_HOLD, S.RETURNED, S.REOPENED, S.NEED_INFO):
    SPEC[(A.SET_TYPE, source)] = (STAY, DESK)
SPEC[(A.ASSIGN, S.FORWARDED)] = (S.ASSIGNED, DESK)  # taken back from an external body (with a reason)
for source in (S.VERIFIED, S.RETURNED, S.REOPENED, S.ON_HOLD):
    SPEC[(A.FORWARD, source)] = (S.FORWARDED, DESK)
SPEC[(A.RECORD_EXTERNAL_ANSWER, S.FORWARDED)] = (S.RESOLVED, DESK | {R.SYSTEM})
SPEC[(A.APPROVE_ANSWER, S.IN_REVIEW)] = (S.RESOLVED, DESK)
SPEC[(A.RETURN_ANSWER, S.IN_REVIEW)] = (S.IN_PROGRESS, DESK)
SPEC[(A.CLOSE_INCOMPLETE, S.NEED_INFO)] = (S.CLOSED, {R.SYSTEM})
SPEC[(A.ASSIGN, S.RECEIVED)] = (S.ASSIGNED, {R.SYSTEM})  # triage's auto-assign
SPEC[(A.ACCEPT, S.ASSIGNED)] = (S.ACCEPTED, AGENCY)
SPEC[(A.START, S.ASSIGNED)] = (S.IN_PROGRESS, AGENCY)
SPEC[(A.START, S.ACCEPTED)] = (S.IN_PROGRESS, AGENCY)
SPEC[(A.NOT_OUR_AUTHORITY, S.ASSIGNED)] = (S.RETURNED, AGENCY)
SPEC[(A.NOT_OUR_AUTHORITY, S.ACCEPTED)] = (S.RETURNED, AGENCY)
SPEC[(A.RESOLVE, S.ACCEPTED)] = (S.RESOLVED, AGENCY)
SPEC[(A.RESOLVE, S.IN_PROGRESS)] = (S.RESOLVED, AGENCY)
SPEC[(A.REOPEN, S.RESOLVED)] = (S.REOPENED, {R.CITIZEN, R.SUPERVISOR})
SPEC[(A.CLOSE, S.RESOLVED)] = (S.CLOSED, {R.CITIZEN, R.SUPERVISOR, R.SYSTEM})


# With the city's desk review of answers on, an agency's answer waits for the desk instead.
REVIEWED_SPEC = {**SPEC, (A.RESOLVE, S.ACCEPTED): (S.IN_REVIEW, AGENCY),
                 (A.RESOLVE, S.IN_PROGRESS): (S.IN_REVIEW, AGENCY)}
REVIEWED_SPEC_FOR_SYSTEM = {(A.RECORD_EXTERNAL_ANSWER, S.FORWARDED): S.IN_REVIEW}


def test_an_external_answer_by_signed_callback_waits_for_the_desk_when_it_reviews_answers() -> None:
    assert find_transition(A.RECORD_EXTERNAL_ANSWER, S.FORWARDED, frozenset({R.SYSTEM}), True).target == S.IN_REVIEW
    assert find_transition(A.RECORD_EXTERNAL_ANSWER, S.FORWARDED, frozenset({R.VERIFIER}), True).target == S.RESOLVED


@pytest.mark.parametrize("desk_review", [False, True])
@pytest.mark.parametrize(("status", "action", "role"), list(itertools.product(Status, Action, Role)))
def test_every_combination_matches_the_spec(status: Status, action: Action, role: Role, desk_review: bool) -> None:
    expected = (REVIEWED_SPEC if desk_review else SPEC).get((action, status))
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            find_transition(action, status, frozenset({role}), desk_review)
        assert refused.value.reason == "invalid_transition"
        return
    target, roles = expected
    if role not in roles:
        with pytest.raises(TransitionRefused) as refused:
            find_transition(action, status, frozenset({role}), desk_review)
        assert refused.value.reason == "forbidden_role"
        return
    row = find_transition(action, status, frozenset({role}), desk_review)
    if desk_review and role == R.SYSTEM:
        target = REVIEWED_SPEC_FOR_SYSTEM.get((action, status), target)
    assert row.target == target


def test_reassigning_an_assigned_complaint_needs_a_reason() -> None:
    assert find_transition(A.ASSIGN, S.VERIFIED, frozenset({R.VERIFIER})).requires == ("agency_id",)
    assert find_transition(A.ASSIGN, S.ASSIGNED, frozenset({R.VERIFIER})).requires == ("agency_id", "reason")
    assert find_transition(A.ASSIGN, S.FORWARDED, frozenset({R.VERIFIER})).requires == ("agency_id", "reason")
    assert find_transition(A.RETURN_UP, S.ASSIGNED, frozenset({R.AGENCY_OFFICER})).requires == ("reason",)


def test_terminal_statuses_have_no_way_out() -> None:
    for status in (S.REJECTED, S.DUPLICATE, S.CLOSED):
        assert not any(source == status for (_, source) in SPEC)
        for role in Role:
            assert actions_available(status, frozenset({role})) == []


def test_every_status_is_reachable_from_received() -> None:
    seen, frontier = {S.RECEIVED}, [S.RECEIVED]
    while frontier:
        current = frontier.pop()
        for (_, source), (target, _) in REVIEWED_SPEC.items():
            if target == STAY:
                continue
            if source == current:
                targets = [t for t in Status if t != S.NEED_INFO] if target == RESUME else [Status(target)]
                for item in targets:
                    if item not in seen:
                        seen.add(item)
                        frontier.append(item)
    assert seen == set(Status)


def test_resume_returns_to_where_the_ticket_waited() -> None:
    row = find_transition(A.PROVIDE_INFO, S.NEED_INFO, frozenset({R.CITIZEN}))
    assert resolve_target(row, S.IN_PROGRESS) == S.IN_PROGRESS
    with pytest.raises(TransitionRefused):
        resolve_target(row, None)


def test_actions_available_for_a_verifier_on_a_new_ticket() -> None:
    assert actions_available(S.RECEIVED, frozenset({R.VERIFIER})) == [
        A.VERIFY, A.HOLD, A.REJECT, A.MARK_DUPLICATE, A.REQUEST_INFO, A.SET_TYPE,
    ]
