"""The whole system in local mode, over HTTP, as its users would drive it: a citizen files a complaint,
the desk verifies and dispositions it, the agency resolves it, the citizen rates it; every step is a
domain event that travelled DynamoDB -> stream -> relay -> EventBridge."""

from __future__ import annotations

import pytest

from infra.local import LocalStack
from tests.e2e.journeys import COMPLAINT, event_is, tokens
from tests.e2e.over_http import call, stack_fixture, token

# one local stack per module: `make test` (--dist loadgroup) keeps its tests on one worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_complaint_journey")]


stack = stack_fixture()


def test_a_complaint_lives_its_whole_life_over_http(stack: LocalStack) -> None:
    citizen, verifier, dpu = tokens(stack, "e2e", "citizen", "verifier", "dpu")

    status, categories = call(stack, "GET", "/v1/categories")
    assert status == 200 and "jalan-rusak" in [item["id"] for item in categories]

    status, filed = call(stack, "POST", "/v1/complaints", COMPLAINT, citizen, {"Idempotency-Key": "e2e-journey-1"})
    assert status == 201, filed
    code = filed["tracking_code"]
    status, again = call(stack, "POST", "/v1/complaints", COMPLAINT, citizen, {"Idempotency-Key": "e2e-journey-1"})
    assert status == 201 and again["tracking_code"] == code  # a retried request files nothing new

    assert call(stack, "GET", f"/v1/complaints/{code}")[0] == 401
    status, seen = call(stack, "GET", f"/v1/complaints/{code}", token=citizen)
    assert status == 200 and seen["status"] == "received"

    status, desk = call(stack, "GET", "/v1/desk/complaints?status=received", token=verifier)
    assert status == 200 and code in [item["tracking_code"] for item in desk["items"]]
    assert call(stack, "GET", "/v1/desk/complaints", token=citizen)[0] == 403

    version = 1
    for who, action, extra, expected in [
        (verifier, "verify", {"note": "Laporan lengkap"}, "verified"),
        (verifier, "assign", {"agency_id": "dpu"}, "assigned"),
        (dpu, "accept", {}, "accepted"),
        (dpu, "start", {}, "in_progress"),
        (dpu, "resolve", {"response": "Lubang sudah ditambal"}, "in_review"),
        (verifier, "approve_answer", {}, "resolved"),  # Semarang's desk reviews answers first
    ]:
        status, moved = call(stack, "POST", f"/v1/complaints/{code}/transitions",
                             {"action": action, "expected_version": version, **extra}, who)
        if status == 409 and moved["error"]["code"] == "version_conflict":
            # A background worker (SLA, triage) wrote the head meanwhile: reload and retry, as the
            # error tells a client to.
            version = call(stack, "GET", f"/v1/complaints/{code}", token=who)[1]["version"]
            status, moved = call(stack, "POST", f"/v1/complaints/{code}/transitions",
                                 {"action": action, "expected_version": version, **extra}, who)
        assert status == 200, (action, moved)
        assert moved["status"] == expected
        version = moved["version"]
        if action == "assign":
            status, queue = call(stack, "GET", "/v1/agencies/dpu/complaints?status=assigned", token=dpu)
            assert code in [item["tracking_code"] for item in queue["items"]]

    stale = call(stack, "POST", f"/v1/complaints/{code}/transitions",
                 {"action": "resolve", "expected_version": 1, "response": "x"}, dpu)
    assert stale[0] == 409

    status, rated = call(stack, "POST", f"/v1/complaints/{code}/rating", {"score": 5, "comment": "Cepat"}, citizen)
    assert status == 200 and rated["rating"]["score"] == 5
    status, timeline = call(stack, "GET", f"/v1/complaints/{code}/timeline", token=citizen)
    # Other capabilities (notifications, SLA, triage) add their own entries while this runs: compare the
    # lifecycle's own steps.
    steps = {"TicketCreated", "TicketVerified", "TicketAssigned", "TicketStatusChanged", "TicketResolved",
             "RatingGiven"}
    lifecycle = [entry["type"] for entry in timeline["items"] if entry["type"] in steps]
    assert lifecycle == [
        "TicketCreated", "TicketVerified", "TicketAssigned", "TicketStatusChanged", "TicketStatusChanged",
        "TicketResolved", "RatingGiven"]

    # Every step reached the event bus through the outbox relay, once per event id.
    stack.wait_for_event(event_is("RatingGiven", code), timeout=60)
    mine = [event for event in stack.events()
            if event["detail"].get("tracking_code") == code and event["source"] == "aduan.tickets"]
    # The bus also carries the agency's answer going to desk review (internal: the citizen's timeline hides it).
    assert [event["detail-type"] for event in mine if event["detail-type"] in lifecycle] == [
        *lifecycle[:5], "TicketStatusChanged", *lifecycle[5:]]
    assert all(event["source"] == "aduan.tickets" and event.get("account") for event in mine)
    status, listed = call(stack, "GET", "/local/events")
    assert status == 200 and len(listed["events"]) >= len(mine)


def test_bad_requests_over_http_get_clear_errors(stack: LocalStack) -> None:
    citizen = token(stack, "role=citizen&sub=warga-e2e-2")
    status, body = call(stack, "POST", "/v1/complaints", {"title": "x"}, citizen)
    assert status == 422 and body["error"]["code"] == "validation_error"
    assert {item["field"] for item in body["error"]["details"]} >= {"title", "text"}
    status, body = call(stack, "GET", "/v1/complaints/ADU-0000-00", token=citizen)
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body = call(stack, "GET", "/v1/me/complaints", token="forged.token.value")
    assert status == 401 and body["error"]["code"] == "unauthorized"
