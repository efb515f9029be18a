"""Triage may set a complaint's priority, but not undo the bump a missed deadline gave it (a routing retry
that lands after the breach reset it to normal; seen in tests/e2e/test_sla_deadlines.py)."""

from __future__ import annotations

from aduan.logic.triage import routed_priority
from aduan.models.ticket import Priority, Ticket


def _ticket(priority: Priority, overdue: bool) -> Ticket:
    return Ticket.model_construct(priority=priority, overdue=overdue)


def test_an_overdue_complaint_keeps_its_bumped_priority() -> None:
    assert routed_priority(_ticket(Priority.HIGH, True), Priority.NORMAL) == Priority.HIGH
    assert routed_priority(_ticket(Priority.HIGH, True), Priority.URGENT) == Priority.URGENT


def test_triage_decides_while_no_deadline_passed() -> None:
    assert routed_priority(_ticket(Priority.NORMAL, False), Priority.LOW) == Priority.LOW
    assert routed_priority(_ticket(Priority.HIGH, False), Priority.NORMAL) == Priority.NORMAL
