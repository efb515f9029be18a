"""The public steps of a complaint's timeline on the tracking view: status changes in words, the agency
it went to and its answer; never the reporter, an officer, a note or an internal step. One Query."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from conftest import Api

PHONE = "0812-3456-7890"
# Everything a public reader must never see from this walk: the reporter (name, sub, phone), the officers,
# the notes (a phone number in one), the internal comment and the draft answer under review.
SECRETS = ("citizen-1", "Sari", "Wulandari", PHONE, "081234567890", "6281234567890", "verifier-1", "officer-dpu",
           "Pelapor minta ditelepon", "Catatan internal", "Tim menuju lokasi")


def _public(api: Api, code: str) -> dict[str, Any]:
    reply = api("GET", f"/v1/public/complaints/{code}", who=None)
    assert reply.status == 200, reply.body
    return dict(reply.body)


def _assert_private(view: dict[str, Any]) -> None:
    raw = json.dumps(view, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in raw, f"{secret!r} leaks into the public view"


def _count_dynamodb_calls() -> Counter[str]:
    from aduan.dal.clients import client

    calls: Counter[str] = Counter()

    def count(event_name: str, **_: Any) -> None:
        calls[event_name.rsplit(".", 1)[-1]] += 1

    client("dynamodb").meta.events.register("before-call.dynamodb.*", count)
    return calls


def test_anonymous_complaint_shows_its_public_steps_and_nothing_private(api: Api) -> None:
    code = api.file(who="citizen", anonymous=True, title="Lampu PJU mati di Jl. Pemuda",
                    text=f"Lampu jalan mati tiga hari. Saya Sari Wulandari, hubungi {PHONE}.")["tracking_code"]
    before = _public(api, code)
    assert [step["status"] for step in before["steps"]] == ["received"]
    assert before["steps"][0]["label"] == {"id": "Diterima", "en": "Received"}
    assert before["steps"][0]["at"].endswith("+07:00")  # the city's zone (WIB)

    walk: list[tuple[str, str, dict[str, Any]]] = [
        ("verifier", "verify", {"note": f"Pelapor minta ditelepon di {PHONE}"}),
        ("verifier", "assign", {"agency_id": "dpu"}),
        ("dpu", "accept", {}),
        ("dpu", "start", {"note": "Tim menuju lokasi"}),
        ("dpu", "resolve", {"response": f"Lampu sudah diganti. Terima kasih Sari Wulandari ({PHONE})."}),
        ("verifier", "approve_answer", {}),
    ]
    for version, (who, action, fields) in enumerate(walk, start=1):
        reply = api.act(who, code, action, version, **fields)
        assert reply.status == 200, (action, reply.body)
        if action == "assign":
            internal = api("POST", f"/v1/complaints/{code}/comments",
                           {"text": "Catatan internal: pelapor pernah melapor hal serupa", "internal": True},
                           who="verifier")
            assert internal.status == 201, internal.body

    api("GET", f"/v1/public/complaints/{code}", who=None)  # configuration cached, as in a warm function
    calls = _count_dynamodb_calls()
    view = _public(api, code)
    assert calls == Counter({"Query": 1}), calls  # head, photos and timeline: one Query of one partition

    steps = view["steps"]
    assert [step["status"] for step in steps] == ["received", "verified", "assigned", "accepted",
                                                  "in_progress", "resolved"]  # in_review is internal
    assigned = steps[2]
    assert assigned["label"] == {"id": "Didisposisikan ke DPU", "en": "Assigned to DPU"}
    assert assigned["agency_id"] == "dpu" and assigned["agency_name"] == "DPU"
    resolved = steps[-1]
    assert resolved["label"]["en"] == "Resolved by DPU"
    assert resolved["answer"].startswith("Lampu sudah diganti.") and "[disamarkan]" in resolved["answer"]
    assert all(step["answer"] is None for step in steps[:-1])
    assert [step["at"] for step in steps] == sorted(step["at"] for step in steps)
    _assert_private(view)

    reopened = api("POST", f"/v1/complaints/{code}/reopen", {"reason": f"Masih mati, telepon {PHONE}",
                                                             "expected_version": 7}, who="citizen")
    assert reopened.status == 200, reopened.body
    again = _public(api, code)
    assert [step["status"] for step in again["steps"]][-2:] == ["resolved", "reopened"]
    assert again["steps"][-1]["label"] == {"id": "Dibuka kembali", "en": "Reopened"}
    assert all(step["answer"] is None for step in again["steps"])  # the answer was withdrawn by reopening
    _assert_private(again)


def test_steps_appear_only_on_the_tracking_view_and_never_for_confidential_complaints(api: Api) -> None:
    code = api.file()["tracking_code"]
    assert api.act("verifier", code, "verify", 1).status == 200
    feed = api("GET", "/v1/public/complaints", who=None).body["items"]
    assert [item["steps"] for item in feed if item["tracking_code"] == code] == [[]]
    assert [step["status"] for step in _public(api, code)["steps"]] == ["received", "verified"]
    secret = api.file(confidential=True)["tracking_code"]
    assert api.act("verifier", secret, "verify", 1).status == 200
    assert api("GET", f"/v1/public/complaints/{secret}", who=None).status == 404
