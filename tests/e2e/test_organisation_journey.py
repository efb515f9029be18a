"""Issue 15 in local mode, over HTTP: the desk assigns to DPU, DPU disposes to its Bina Marga bidang,
which hands it back up with a reason; DPU answers, the desk returns the answer and then approves it;
another complaint is forwarded to PLN. Every step reaches the event bus through the outbox."""

from __future__ import annotations

import pytest

from infra.local import LocalStack
from tests.e2e.journeys import act, event_is, file_complaint, tokens
from tests.e2e.over_http import call, stack_fixture

# one local stack per module: `make test` (--dist loadgroup) keeps its tests on one worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_organisation_journey")]

stack = stack_fixture()


def test_disposition_desk_review_and_forwarding_over_http(stack: LocalStack) -> None:
    citizen, verifier, dpu, bina_marga = tokens(stack, "org", "citizen", "verifier", "dpu", "bina_marga")

    code = file_complaint(stack, citizen)
    act(stack, code, verifier, "verify")
    act(stack, code, verifier, "assign", agency_id="dpu")
    disposed = act(stack, code, dpu, "dispose", agency_id="dpu-bina-marga", note="Tambal minggu ini")
    assert disposed["agency_path"] == ["dpu", "dpu-bina-marga"]
    assert call(stack, "GET", f"/v1/complaints/{code}", token=dpu)[0] == 200  # oversight
    act(stack, code, bina_marga, "accept")
    back = act(stack, code, bina_marga, "return_up", reason="Perlu alat berat dari dinas")
    assert back["assigned_agency_id"] == "dpu"
    act(stack, code, dpu, "start")
    assert act(stack, code, dpu, "resolve", response="Akan disurvei")["status"] == "in_review"
    assert act(stack, code, verifier, "return_answer", note="Sebutkan tanggal penambalan")["status"] == "in_progress"
    act(stack, code, dpu, "resolve", response="Lubang ditambal 24 November")
    approved = act(stack, code, verifier, "approve_answer")
    assert approved["status"] == "resolved"
    seen = call(stack, "GET", f"/v1/complaints/{code}", token=citizen)[1]
    assert seen["resolution"] == "Lubang ditambal 24 November"
    stack.wait_for_event(event_is("TicketResolved", code), timeout=60)

    other = file_complaint(stack, citizen, title="Tiang listrik miring",
                           text="Tiang listrik PLN miring di depan SD, berbahaya.", category_id=None)
    act(stack, other, verifier, "verify")
    forwarded = act(stack, other, verifier, "forward", agency_id="pln-up3-semarang", note="Mohon pemeriksaan tiang")
    assert forwarded["status"] == "forwarded"
    stack.wait_for_event(event_is("TicketForwarded", other), timeout=60)
