"""A deadline passes in the local stack, driven by POST /local/clock (no sleeping until a deadline):
the tracker starts the clock from the relayed TicketCreated, the clock moves three days forward, the
scheduler wakes the sweeper, and SlaBreached reaches the bus; the complaint shows it is overdue."""

from __future__ import annotations

import pytest

from infra.local import LocalStack
from tests.e2e.journeys import event_is, tokens, until
from tests.e2e.over_http import call, stack_fixture

# one local stack per module: `make test` (--dist loadgroup) keeps its tests on one worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_sla_deadlines")]


stack = stack_fixture()


def test_a_deadline_passes_when_the_local_clock_moves(stack: LocalStack) -> None:
    citizen, verifier = tokens(stack, "sla", "citizen", "verifier")
    status, filed = call(stack, "POST", "/v1/complaints", {
        "title": "Lampu jalan mati di Jl. Pemuda", "text": "Sudah seminggu lampu PJU mati, jalan gelap dan rawan.",
        "category_id": "pju-mati"}, citizen)
    assert status == 201, filed
    code = filed["tracking_code"]
    stack.wait_for_event(event_is("TicketCreated", code), timeout=20)
    # The tracker consumes the event asynchronously (SQS poller): wait for it, not for a deadline.
    until("the SLA tracker starting the clock",
          lambda: call(stack, "GET", f"/v1/complaints/{code}", token=verifier)[1].get("sla"), timeout=20)

    status, clock = call(stack, "POST", "/local/clock", {"advance_days": 3})
    assert status == 200 and clock["offset_seconds"] == 3 * 86400
    breached = stack.wait_for_event(event_is("SlaBreached", code), timeout=30)
    assert breached["source"] == "aduan.sla"
    assert breached["detail"]["stage"] == "verification" and breached["detail"]["rung"] == 1

    status, view = call(stack, "GET", f"/v1/complaints/{code}", token=verifier)
    assert status == 200 and view["overdue"] is True and view["priority"] == "high"
    assert view["sla"]["stage"] == "verification" and view["sla"]["time_left_seconds"] < 0
    assert call(stack, "POST", "/local/clock", {"advance_days": -1})[0] == 422
