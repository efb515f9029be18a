"""Attribution of response and resolution time to whoever held the complaint, from timelines with
several reassignments (issue 15: Dinkes was ranked #1 for a complaint it never touched)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aduan.logic.attribution import DESK, credits, intervals
from aduan.logic.clock import to_storage
from aduan.logic.status_machine import EventType, Role, Status
from aduan.models.ticket import Actor, TimelineEntry

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
HOUR = 3600.0


class Timeline:
    def __init__(self) -> None:
        self.entries: list[TimelineEntry] = []
        self.status: Status | None = None
        self.add(0, EventType.TICKET_CREATED, None, Status.RECEIVED, Role.CITIZEN)

    def add(self, hours: float, kind: EventType, action: str | None, to: Status, role: Role = Role.VERIFIER,
            **data: Any) -> Timeline:
        self.entries.append(TimelineEntry(
            event_id=f"e{len(self.entries)}", event_type=kind, occurred_at=to_storage(T0 + timedelta(hours=hours)),
            ticket_id="t", tracking_code="ADU-TEST-01", actor=Actor(role=role, id="someone"),
            from_status=self.status, to_status=to, action=action, data=data, ticket_version=len(self.entries) + 1))
        self.status = to
        return self

    def act(self, hours: float, action: str, to: Status, role: Role = Role.AGENCY_OFFICER, **data: Any) -> Timeline:
        kinds = {"assign": EventType.TICKET_ASSIGNED, "dispose": EventType.TICKET_ASSIGNED,
                 "return_up": EventType.TICKET_ASSIGNED, "approve_answer": EventType.TICKET_RESOLVED}
        return self.add(hours, kinds.get(action, EventType.TICKET_STATUS_CHANGED), action, to, role, **data)


def test_a_reassigned_agency_is_not_credited_with_a_response_it_never_gave() -> None:
    line = (Timeline().act(1, "verify", Status.VERIFIED, Role.VERIFIER)
            .act(2, "assign", Status.ASSIGNED, Role.VERIFIER, agency_id="dinkes")
            .act(26, "assign", Status.ASSIGNED, Role.VERIFIER, agency_id="dpu", reason="bukan kesehatan")
            .act(28, "accept", Status.ACCEPTED).act(30, "start", Status.IN_PROGRESS)
            .act(50, "resolve", Status.RESOLVED))
    found = credits(line.entries, T0 + timedelta(hours=60))
    assert found["dinkes"].received == 1 and found["dinkes"].responded == 0 and found["dinkes"].not_responded == 1
    assert found["dinkes"].held_seconds == 24 * HOUR
    assert found["dpu"].responded == 1 and found["dpu"].response_seconds == [2 * HOUR]
    assert found["dpu"].resolved == 1 and found["dpu"].resolution_seconds == [24 * HOUR]
    assert found["dinkes"].resolved == 0


def test_disposition_review_and_waiting_are_attributed_to_the_right_holder() -> None:
    line = (Timeline().act(1, "verify", Status.VERIFIED, Role.VERIFIER)
            .act(2, "assign", Status.ASSIGNED, Role.VERIFIER, agency_id="dpu")
            .act(3, "dispose", Status.ASSIGNED, agency_id="dpu-bina-marga")  # dpu answers by disposing
            .act(10, "dispose", Status.ASSIGNED, Role.PARENT_AGENCY, agency_id="dpu-sda")  # bina marga never did
            .act(12, "accept", Status.ACCEPTED)
            .act(14, "request_info", Status.NEED_INFO)
            .act(24, "provide_info", Status.ACCEPTED, Role.CITIZEN)
            .act(30, "resolve", Status.IN_REVIEW)
            .act(40, "approve_answer", Status.RESOLVED, Role.VERIFIER))
    spans = [(i.holder, i.top, (i.end - i.start).total_seconds() / HOUR if i.end else None)
             for i in intervals(line.entries)]
    assert spans == [(DESK, DESK, 2.0), ("dpu", "dpu", 1.0), ("dpu-bina-marga", "dpu", 7.0),
                     ("dpu-sda", "dpu", 4.0), (None, None, 10.0), ("dpu-sda", "dpu", 6.0), (DESK, "dpu", 10.0),
                     (None, None, None)]
    found = credits(line.entries, T0 + timedelta(hours=40))
    assert found["dpu"].responded == 1 and found["dpu"].response_seconds == [1 * HOUR]
    assert found["dpu-bina-marga"].responded == 0 and found["dpu-bina-marga"].not_responded == 1
    assert found["dpu-sda"].response_seconds == [2 * HOUR]
    # Resolution: sda's own 20 h minus 10 h waiting for the reporter; the tree's 28 h minus the same wait.
    assert found["dpu-sda"].resolution_seconds == [10 * HOUR]
    assert found["dpu"].resolution_seconds == [18 * HOUR]
    # The tree held it from assignment to the answer (review time is the desk's): 28 h minus 10 h waiting.
    assert found["dpu"].held_seconds == 18 * HOUR and found["dpu-sda"].held_seconds == 10 * HOUR


def test_a_rating_is_not_a_second_resolution() -> None:
    """A rating keeps the status it found (resolved): the resolution is credited once, when it was resolved."""
    line = (Timeline().act(1, "verify", Status.VERIFIED, Role.VERIFIER)
            .act(2, "assign", Status.ASSIGNED, Role.VERIFIER, agency_id="dpu")
            .act(3, "accept", Status.ACCEPTED).act(5, "resolve", Status.RESOLVED)
            .add(30, EventType.RATING_GIVEN, None, Status.RESOLVED, Role.CITIZEN, score=5))
    dpu = credits(line.entries, T0 + timedelta(hours=40))["dpu"]
    assert dpu.resolved == 1 and dpu.resolution_seconds == [3 * HOUR]
