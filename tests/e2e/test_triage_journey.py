"""Triage end to end in local mode: complaints filed over the API travel DynamoDB -> stream -> relay
-> EventBridge -> routing queue -> routing function, and land in the right agency's queue (directly,
where a rule auto-assigns, or after the desk accepts the suggestion).

To add a channel (issue 3), add a filer to FILERS: a function that files one complaint from a CASE
through that channel and returns its tracking code; every case then runs through it too."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from infra import channel_samples as samples
from infra.local import LocalStack
from tests.e2e.over_http import call, stack_fixture, token
from tests.e2e.test_channel_journey import post, replies, wait_for

# one local stack per module: `make test` (--dist loadgroup) keeps its tests on one worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_triage_journey")]


@dataclass(frozen=True)
class Case:
    name: str
    complaint: dict[str, Any]
    agency_id: str
    auto_assigned: bool
    extra: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("pothole-with-category", {"title": "Jalan berlubang", "category_id": "jalan-rusak",
                                   "text": "Lubang besar di Jl. Pandanaran depan toko oleh-oleh",
                                   "location": {"lat": -6.9875, "lon": 110.412}}, "dpu", False),
    Case("fire-classified", {"title": "Kebakaran!", "text": "Kebakaran rumah warga, api masih besar",
                             "location": {"lat": -7.05, "lon": 110.44}}, "damkar", True),
    Case("water-by-slang", {"title": "Air PDAM", "text": "air pdam gak ngalir sdh 3 hari, air mati total",
                            "location": {"address": "Kelurahan Srondol Wetan, Banyumanik"}},
         # One chat message has no separate title: the classifier is less sure, so the desk decides.
         "pdam-tirta-moedal", True, {"auto_assigned_over": {"whatsapp": False}}),
    Case("vendors-by-address", {"title": "PKL", "text": "Pedagang kaki lima berjualan di trotoar",
                                "location": {"address": "dekat Kelurahan Jomblang"}}, "kec-candisari", False),
]


stack = stack_fixture()


def file_over_api(stack: LocalStack, case: Case) -> str:
    citizen = token(stack, f"role=citizen&sub=warga-{case.name}")
    status, filed = call(stack, "POST", "/v1/complaints", case.complaint, citizen)
    assert status == 201, filed
    return str(filed["tracking_code"])


def file_over_whatsapp(stack: LocalStack, case: Case) -> str:
    """One signed WhatsApp message with the complaint (and where it is, in words, as citizens write it);
    the tracking code comes back in the reply that local mode keeps in its outbox."""
    phone = f"62811{abs(hash(case.name)) % 10**7:07d}"
    where = case.complaint.get("location", {}).get("address")
    words = f"{case.complaint['title']}. {case.complaint['text']}" + (f". Lokasi: {where}" if where else "")
    message = samples.whatsapp_message({"id": f"wamid.triage-{case.name}", "type": "text", "text": {"body": words}},
                                       name="Warga Semarang", phone=phone)
    assert post(stack, "whatsapp", message)[0] == 200
    [reply] = wait_for(lambda: [item for item in replies(stack, f"+{phone}") if item.get("tracking_code")], 60)
    return str(reply["tracking_code"])


FILERS: dict[str, Callable[[LocalStack, Case], str]] = {"api": file_over_api, "whatsapp": file_over_whatsapp}


def wait_routed(stack: LocalStack, code: str, verifier: str, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, seen = call(stack, "GET", f"/v1/complaints/{code}", token=verifier)
        assert status == 200, seen
        if seen["suggestion"] and (seen["status"] != "received" or not seen["suggestion"]["auto_assign"]):
            return dict(seen)
        time.sleep(0.2)
    raise TimeoutError(f"{code} was not routed within {timeout} s")


@pytest.mark.parametrize("channel", sorted(FILERS))
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_complaints_land_in_the_right_agency_queue(stack: LocalStack, case: Case, channel: str) -> None:
    verifier = token(stack, "role=verifier&sub=desk-triage")
    code = FILERS[channel](stack, case)
    seen = wait_routed(stack, code, verifier)
    assert seen["suggestion"]["agency_id"] == case.agency_id, seen["suggestion"]
    if case.extra.get("auto_assigned_over", {}).get(channel, case.auto_assigned):
        assert seen["status"] == "assigned" and seen["assigned_agency_id"] == case.agency_id, seen["suggestion"]
    else:
        assert seen["status"] == "received"
        status, desk = call(stack, "GET", "/v1/desk/complaints?status=received", token=verifier)
        assert status == 200 and code in [item["tracking_code"] for item in desk["items"]]
        for action, extra in (("verify", {}), ("assign", {"agency_id": seen["suggestion"]["agency_id"]})):
            status, seen = call(stack, "POST", f"/v1/complaints/{code}/transitions",
                                {"action": action, "expected_version": seen["version"], **extra}, verifier)
            assert status == 200, seen
    officer = token(stack, f"role=agency_officer&sub=officer-{case.agency_id}&agency_id={case.agency_id}")
    status, queue = call(stack, "GET", f"/v1/agencies/{case.agency_id}/complaints?status=assigned", token=officer)
    assert status == 200 and code in [item["tracking_code"] for item in queue["items"]]
    routed = stack.wait_for_event(lambda event: event.get("detail-type") == "TicketRouted"
                                  and event["detail"].get("tracking_code") == code)
    assert routed["source"] == "aduan.triage" and routed["detail"]["data"]["agency_id"] == case.agency_id
