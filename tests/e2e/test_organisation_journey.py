"""Issue 15 in local mode, over HTTP: the desk assigns to DPU, DPU disposes to its Bina Marga bidang,
which hands it back up with a reason; DPU answers, the desk returns the answer and then approves it;
another complaint is forwarded to PLN. Every step reaches the event bus through the outbox."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local import LocalStack
from tests.e2e.over_http import call, stack_fixture, token

pytestmark = pytest.mark.e2e

stack = stack_fixture()

COMPLAINT = {"title": "Jalan berlubang di Jl. Pandanaran",
             "text": "Ada lubang besar di depan toko oleh-oleh, berbahaya bagi pengendara motor.",
             "category_id": "jalan-rusak", "location": {"lat": -6.9875, "lon": 110.412}}


def _act(stack: LocalStack, code: str, who: str, action: str, **fields: Any) -> dict[str, Any]:
    """One transition at the version the caller sees now (background workers may have written meanwhile)."""
    for _ in range(3):
        version = call(stack, "GET", f"/v1/complaints/{code}", token=who)[1]["version"]
        status, body = call(stack, "POST", f"/v1/complaints/{code}/transitions",
                            {"action": action, "expected_version": version, **fields}, who)
        if status != 409 or body["error"]["code"] != "version_conflict":
            assert status == 200, (action, body)
            return dict(body)
    raise AssertionError(f"{action}: version conflicts kept coming")


def test_disposition_desk_review_and_forwarding_over_http(stack: LocalStack) -> None:
    citizen = token(stack, "role=citizen&sub=warga-org&name=Sari")
    verifier = token(stack, "role=verifier&sub=desk-org")
    dpu = token(stack, "role=agency_officer&sub=dpu-org&agency_id=dpu")
    bina_marga = token(stack, "role=agency_officer&sub=bm-org&agency_id=dpu-bina-marga")

    status, filed = call(stack, "POST", "/v1/complaints", COMPLAINT, citizen)
    assert status == 201, filed
    code = filed["tracking_code"]
    _act(stack, code, verifier, "verify")
    _act(stack, code, verifier, "assign", agency_id="dpu")
    disposed = _act(stack, code, dpu, "dispose", agency_id="dpu-bina-marga", note="Tambal minggu ini")
    assert disposed["agency_path"] == ["dpu", "dpu-bina-marga"]
    assert call(stack, "GET", f"/v1/complaints/{code}", token=dpu)[0] == 200  # oversight
    _act(stack, code, bina_marga, "accept")
    back = _act(stack, code, bina_marga, "return_up", reason="Perlu alat berat dari dinas")
    assert back["assigned_agency_id"] == "dpu"
    _act(stack, code, dpu, "start")
    assert _act(stack, code, dpu, "resolve", response="Akan disurvei")["status"] == "in_review"
    assert _act(stack, code, verifier, "return_answer", note="Sebutkan tanggal penambalan")["status"] == "in_progress"
    _act(stack, code, dpu, "resolve", response="Lubang ditambal 24 November")
    approved = _act(stack, code, verifier, "approve_answer")
    assert approved["status"] == "resolved"
    seen = call(stack, "GET", f"/v1/complaints/{code}", token=citizen)[1]
    assert seen["resolution"] == "Lubang ditambal 24 November"
    stack.wait_for_event(lambda event: event.get("detail-type") == "TicketResolved"
                         and event["detail"].get("tracking_code") == code, timeout=60)

    status, other = call(stack, "POST", "/v1/complaints", {
        **COMPLAINT, "title": "Tiang listrik miring", "text": "Tiang listrik PLN miring di depan SD, berbahaya.",
        "category_id": None}, citizen)
    assert status == 201, other
    _act(stack, other["tracking_code"], verifier, "verify")
    forwarded = _act(stack, other["tracking_code"], verifier, "forward", agency_id="pln-up3-semarang",
                     note="Mohon pemeriksaan tiang")
    assert forwarded["status"] == "forwarded"
    stack.wait_for_event(lambda event: event.get("detail-type") == "TicketForwarded"
                         and event["detail"].get("tracking_code") == other["tracking_code"], timeout=60)
