"""Notifications end to end in local mode: a complaint sent by WhatsApp (a signed webhook) moves through its life,
and GET /local/outbox shows every message the citizen and the agency would receive, exactly once, with
the provider request each would have been."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any
from urllib.parse import quote

import pytest

from aduan.dal import channel_secrets, template_store
from infra import channel_samples as samples
from infra.local import LocalStack
from tests.e2e.over_http import call, stack_fixture, token

# one local stack per module: `make test` (--dist loadgroup) keeps its tests on one worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_notifications_journey")]
PHONE = "+6281234567890"
CONTACT = f"whatsapp:{PHONE}"


stack = stack_fixture(channel_secrets.reset, template_store.clear_cache)


def outbox(stack: LocalStack) -> list[dict[str, Any]]:
    status, body = call(stack, "GET", "/local/outbox")
    assert status == 200
    return list(body["messages"])


def wait_for(stack: LocalStack, count: int, timeout: float = 60.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        messages = outbox(stack)
        if len(messages) >= count or time.monotonic() > deadline:
            return messages
        time.sleep(0.2)


def file_by_whatsapp(stack: LocalStack) -> str:
    """The citizen writes to the city's WhatsApp number (a signed Cloud API webhook); channel intake files
    the complaint and answers with its tracking code through the same outbound port."""
    url = f"{stack.api_url}/webhooks/whatsapp"
    body = samples.body_bytes(samples.WHATSAPP_TEXT)
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers=samples.signed_headers("whatsapp", body, url))
    with urllib.request.urlopen(request, timeout=15) as answer:
        assert answer.status == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        acks = [m for m in outbox(stack) if m["kind"] == "intake_filed" and m["recipient"] == PHONE]
        if acks:
            return str(acks[0]["tracking_code"])
        time.sleep(0.2)
    raise AssertionError("no tracking code came back")


def test_whatsapp_citizen_and_agency_hear_about_every_step(stack: LocalStack) -> None:
    code = file_by_whatsapp(stack)
    citizen = token(stack, f"role=citizen&sub={quote(CONTACT)}")
    verifier = token(stack, "role=verifier&sub=desk-notify")
    dpu = token(stack, "role=agency_officer&sub=dpu-notify&agency_id=dpu")
    status, filed = call(stack, "GET", f"/v1/complaints/{code}", token=citizen)
    assert status == 200 and filed["channel"] == "whatsapp", filed
    version = filed["version"]
    steps = [(verifier, {"action": "verify"}), (verifier, {"action": "assign", "agency_id": "dpu"}),
             (dpu, {"action": "accept"}), (dpu, {"action": "start"}),
             (dpu, {"action": "resolve", "response": "Lampu sudah diganti <b>hari ini</b>"}),
             (verifier, {"action": "approve_answer"})]  # Semarang's desk reviews answers first
    for who, step in steps:
        status, body = call(stack, "POST", f"/v1/complaints/{code}/transitions",
                            {**step, "expected_version": version}, who)
        assert status == 200, body
        version = body["version"]
    status, _ = call(stack, "POST", f"/v1/complaints/{code}/comments",
                     {"text": "Catatan internal: vendor lampu", "internal": True}, dpu)
    assert status in (200, 201)

    # intake's acknowledgement, then verified, assigned, accepted, in_progress, resolved for the citizen (6),
    # the question "is it fixed?" with reply buttons (1) + the assignment email to each DPU mailbox
    from aduan.dal import config_store

    agency = config_store.load_config(stack.physical_names["TicketsTable"]).agency("dpu")
    assert agency is not None and agency.emails
    dpu_emails = agency.emails
    expected = 7 + len(dpu_emails)
    messages = wait_for(stack, expected)
    time.sleep(1.0)  # anything extra (a duplicate, the internal note) would show up now
    messages = [m for m in outbox(stack) if m["tracking_code"] == code]
    citizen_messages = [m for m in messages if m["audience"] == "citizen"]
    officer_messages = [m for m in messages if m["audience"] == "officer"]
    assert [m["kind"] for m in citizen_messages] == ["intake_filed", "TicketVerified", "TicketAssigned",
                                                     "TicketStatusChanged", "TicketStatusChanged", "TicketResolved",
                                                     "feedback_question"]
    question = json.loads(citizen_messages.pop()["body"])
    assert question["type"] == "interactive" and [b["reply"]["id"] for b in question["interactive"]["action"][
        "buttons"]] == [f"fb:{code}:fixed", f"fb:{code}:reopen"]
    assert len({m["message_id"] for m in messages}) == len(messages) == expected  # each once
    for message in citizen_messages:
        assert message["provider"] == "whatsapp" and message["recipient"] == PHONE
        assert message["url"] == "https://graph.facebook.com/v21.0/<whatsapp.phone_number_id>/messages"
        assert "Authorization" not in message["headers"]  # secrets never reach the outbox
        body = json.loads(message["body"])
        assert body["type"] == "text" and body["text"]["body"] == message["text"]  # inside the 24-hour window
        assert code in message["text"] and "Catatan internal" not in message["text"]
    resolved = citizen_messages[-1]["text"]
    assert "Tanggapan: Lampu sudah diganti <b>hari ini</b>" in resolved  # plain text: nothing escaped or lost
    assert "WIB" in citizen_messages[2]["text"] or "belum ditetapkan" in citizen_messages[2]["text"]
    assert sorted(m["recipient"] for m in officer_messages) == sorted(dpu_emails)
    for message in officer_messages:
        assert message["provider"] == "ses" and message["aws_call"] == {"service": "sesv2", "operation": "send_email"}
        params = json.loads(message["body"])
        assert params["Destination"] == {"ToAddresses": [message["recipient"]]}
        assert "&lt;" not in params["Content"]["Simple"]["Body"]["Text"]["Data"]
        assert PHONE not in message["text"]

    # Officers see each delivery on the timeline; the citizen does not.
    # (each message's entry is its claim, "sending" until the outcome is recorded: poll for the last ones)
    deadline = time.monotonic() + 20
    while True:
        status, officer_view = call(stack, "GET", f"/v1/complaints/{code}/timeline?limit=100", token=verifier)
        assert status == 200
        recorded = [e for e in officer_view["items"] if e["type"] == "NotificationRecorded"]
        settled = all(e["data"]["outcome"] != "sending" for e in recorded)
        if (len(recorded) >= expected and settled) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(recorded) == expected and all(e["data"]["outcome"] == "sent" for e in recorded)
    assert all(PHONE not in json.dumps(e) for e in recorded)
    status, citizen_view = call(stack, "GET", f"/v1/complaints/{code}/timeline?limit=100", token=citizen)
    assert all(e["type"] != "NotificationRecorded" for e in citizen_view["items"])

    # The citizen taps "Belum beres" (a signed interactive reply): the complaint is reopened as its reporter.
    answer = samples.whatsapp_message({"id": "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFkFOU1dFUgA", "type": "interactive",
                                       "interactive": {"type": "button_reply", "button_reply": {
                                           "id": f"fb:{code}:reopen", "title": "Belum beres"}}})
    url = f"{stack.api_url}/webhooks/whatsapp"
    body = samples.body_bytes(answer)
    headers = samples.signed_headers("whatsapp", body, url)
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=15) as reply:
        assert reply.status == 200
    acks = [m for m in wait_for(stack, expected + 1) if m["kind"] == "intake_feedback_reopened"]
    assert acks and acks[0]["recipient"] == PHONE and code in acks[0]["text"]
    status, reopened = call(stack, "GET", f"/v1/complaints/{code}", token=verifier)
    assert status == 200 and reopened["status"] == "reopened" and reopened["reopen_count"] == 1
