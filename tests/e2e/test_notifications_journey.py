"""Notifications end to end in local mode: a complaint from a WhatsApp citizen moves through its life,
and GET /local/outbox shows every message the citizen and the agency would receive, exactly once, with
the provider request each would have been."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest

from infra.local import LocalStack
from tests.e2e.test_complaint_journey import call, token

pytestmark = pytest.mark.e2e
PHONE = "+6281234567890"
CONTACT = f"whatsapp:{PHONE}"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    from aduan.dal import channel_secrets, clients, template_store

    clients.reset()
    channel_secrets.reset()
    template_store.clear_cache()
    with LocalStack(port=0) as running:
        yield running
    clients.reset()
    channel_secrets.reset()


def outbox(stack: LocalStack) -> list[dict[str, Any]]:
    status, body = call(stack, "GET", "/local/outbox")
    assert status == 200
    return list(body["messages"])


def wait_for(stack: LocalStack, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        messages = outbox(stack)
        if len(messages) >= count or time.monotonic() > deadline:
            return messages
        time.sleep(0.2)


def test_whatsapp_citizen_and_agency_hear_about_every_step(stack: LocalStack) -> None:
    # Until channel intake lands, the citizen's WhatsApp identity is created as intake would create it,
    # and the complaint is filed under that identity through the API.
    from aduan.dal.contacts import ContactRepository
    from aduan.models.contact import Contact

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    ContactRepository(stack.physical_names["TicketsTable"]).put(Contact(
        id=CONTACT, channel="whatsapp", address=PHONE, display_name="Sari", language="id",
        last_inbound_at=now, created_at=now, updated_at=now))
    citizen = token(stack, f"role=citizen&sub={quote(CONTACT)}&name=Sari")
    verifier = token(stack, "role=verifier&sub=desk-notify")
    dpu = token(stack, "role=agency_officer&sub=dpu-notify&agency_id=dpu")

    status, filed = call(stack, "POST", "/v1/complaints", {
        "title": "Lampu jalan mati di Jl. Pemuda", "text": "Sudah tiga malam lampu jalan mati, rawan kecelakaan.",
        "category_id": "jalan-rusak", "location": {"address": "Jl. Pemuda, Semarang Tengah"}}, citizen)
    assert status == 201, filed
    code, version = filed["tracking_code"], 1
    steps = [(verifier, {"action": "verify"}), (verifier, {"action": "assign", "agency_id": "dpu"}),
             (dpu, {"action": "accept"}), (dpu, {"action": "start"}),
             (dpu, {"action": "resolve", "response": "Lampu sudah diganti <b>hari ini</b>"})]
    for who, step in steps:
        status, body = call(stack, "POST", f"/v1/complaints/{code}/transitions",
                            {**step, "expected_version": version}, who)
        assert status == 200, body
        version = body["version"]
    status, _ = call(stack, "POST", f"/v1/complaints/{code}/comments",
                     {"text": "Catatan internal: vendor lampu", "internal": True}, dpu)
    assert status in (200, 201)

    # created, verified, assigned, accepted, in_progress, resolved for the citizen (6) + the assignment
    # email to each DPU mailbox
    from aduan.dal import config_store

    agency = config_store.load_config(stack.physical_names["TicketsTable"]).agency("dpu")
    assert agency is not None and agency.emails
    dpu_emails = agency.emails
    expected = 6 + len(dpu_emails)
    messages = wait_for(stack, expected)
    time.sleep(1.0)  # anything extra (a duplicate, the internal note) would show up now
    messages = [m for m in outbox(stack) if m["tracking_code"] == code]
    citizen_messages = [m for m in messages if m["audience"] == "citizen"]
    officer_messages = [m for m in messages if m["audience"] == "officer"]
    assert [m["kind"] for m in citizen_messages] == ["TicketCreated", "TicketVerified", "TicketAssigned",
                                                     "TicketStatusChanged", "TicketStatusChanged", "TicketResolved"]
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
    status, officer_view = call(stack, "GET", f"/v1/complaints/{code}/timeline?limit=100", token=verifier)
    assert status == 200
    recorded = [e for e in officer_view["items"] if e["type"] == "NotificationRecorded"]
    assert len(recorded) == expected and all(e["data"]["outcome"] == "sent" for e in recorded)
    assert all(PHONE not in json.dumps(e) for e in recorded)
    status, citizen_view = call(stack, "GET", f"/v1/complaints/{code}/timeline?limit=100", token=citizen)
    assert all(e["type"] != "NotificationRecorded" for e in citizen_view["items"])
