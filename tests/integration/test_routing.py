"""The routing worker under moto: suggestion with reasons, auto-assign by rule, duplicates from the
geohash index, merge with followers, and re-routing after "not our authority"."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from tests.integration.conftest import Api
from tests.integration.triage_helpers import route

PANDANARAN = {"lat": -6.9875, "lon": 110.412, "address": "Jl. Pandanaran, Semarang Tengah"}


def _timeline(api: Api, code: str, who: str = "verifier") -> list[dict[str, Any]]:
    return list(api("GET", f"/v1/complaints/{code}/timeline", who=who).body["items"])


def test_a_new_complaint_gets_a_suggestion_with_its_reasons_and_waits_for_the_desk(api: Api) -> None:
    filed = api.file()
    code = filed["tracking_code"]
    assert route(code) == {"batchItemFailures": []}
    seen = api("GET", f"/v1/complaints/{code}", who="verifier").body
    suggestion = seen["suggestion"]
    assert suggestion["agency_id"] == "dpu" and suggestion["rule_id"] == "jalan-dpu"
    assert suggestion["category_source"] == "citizen" and "lubang" in suggestion["matched_keywords"]
    assert suggestion["area_method"] == "point" and suggestion["area_code"].startswith("3374130")
    assert seen["priority"] == "high" and suggestion["priority_reasons"] == ["berbahaya"]
    assert seen["status"] == "received" and seen["version"] == 1  # advisory: the desk's version still holds
    assert seen["location"]["area_code"] == suggestion["area_code"]
    routed = [entry for entry in _timeline(api, code) if entry["type"] == "TicketRouted"]
    assert len(routed) == 1 and routed[0]["data"]["rule_id"] == "jalan-dpu" and routed[0]["internal"]
    # The citizen sees neither the suggestion nor the internal entry.
    mine = api("GET", f"/v1/complaints/{code}").body
    assert mine["suggestion"] is None and "TicketRouted" not in [e["type"] for e in _timeline(api, code, "citizen")]
    # Delivered twice (SQS at-least-once): routed once.
    route(code)
    assert len([e for e in _timeline(api, code) if e["type"] == "TicketRouted"]) == 1
    assert api.act("verifier", code, "verify", 1).status == 200


def test_a_sure_match_on_an_auto_assign_rule_goes_straight_to_the_agency(api: Api) -> None:
    filed = api.file(title="Kebakaran rumah", text="Kebakaran rumah warga, api masih besar, mohon damkar segera",
                     category_id=None, location={"lat": -7.05, "lon": 110.44})
    code = filed["tracking_code"]
    route(code)
    seen = api("GET", f"/v1/complaints/{code}", who="verifier").body
    assert seen["status"] == "assigned" and seen["assigned_agency_id"] == "damkar"
    assert seen["priority"] == "urgent" and seen["suggestion"]["auto_assign"]
    queue = api("GET", "/v1/agencies/damkar/complaints", who="supervisor", query={"order": "urgent"}).body
    assert code in [item["tracking_code"] for item in queue["items"]]
    assigned = [e for e in _timeline(api, code) if e["type"] == "TicketAssigned"]
    assert assigned[0]["actor_role"] == "system" and "kebakaran-damkar" in assigned[0]["note"]


def test_duplicates_are_found_nearby_in_the_same_category_and_merged_with_followers(api: Api) -> None:
    first = api.file()["tracking_code"]
    route(first)
    near = {**PANDANARAN, "lat": PANDANARAN["lat"] + 0.001}  # ~110 m north
    far = {**PANDANARAN, "lat": PANDANARAN["lat"] - 0.01}  # ~1.1 km south
    second = api.file(who="citizen2", title="Lubang di Jl Pandanaran",
                      text="jln berlubang besar depan toko oleh2, bahaya buat motor", location=near)["tracking_code"]
    elsewhere = api.file(who="citizen2", location=far)["tracking_code"]
    other_kind = api.file(who="citizen2", category_id="sampah", text="Sampah numpuk di depan toko",
                          location=near)["tracking_code"]
    route(second, elsewhere, other_kind)
    candidates = api("GET", f"/v1/complaints/{second}", who="verifier").body["duplicate_candidates"]
    assert [c["tracking_code"] for c in candidates] == [first]
    assert 90 < candidates[0]["distance_m"] < 130 and candidates[0]["similarity"] > 0.2
    assert api("GET", f"/v1/complaints/{elsewhere}", who="verifier").body["duplicate_candidates"] == []
    assert api("GET", f"/v1/complaints/{other_kind}", who="verifier").body["duplicate_candidates"] == []

    merged = api.act("verifier", second, "mark_duplicate", 1, duplicate_of=first)
    assert merged.status == 200 and merged.body["status"] == "duplicate"
    parent = api("GET", f"/v1/complaints/{first}").body
    assert parent["duplicate_count"] == 1 and parent["version"] == 2
    from aduan.dal.tickets import TicketRepository

    head = TicketRepository("aduan-tickets-test").get(first)
    assert head is not None and head.follower_refs == ["citizen-2"]
    events = [e for e in _timeline(api, first) if e["type"] == "DuplicateMerged"]
    assert events[0]["data"]["child_tracking_code"] == second and events[0]["data"]["duplicate_count"] == 1
    # A duplicate is never offered as a parent again, and the parent's own reporter never follows itself.
    again = api.file(location=near)["tracking_code"]
    route(again)
    offered = api("GET", f"/v1/complaints/{again}", who="verifier").body["duplicate_candidates"]
    assert second not in [c["tracking_code"] for c in offered] and first in [c["tracking_code"] for c in offered]
    assert api.act("verifier", again, "mark_duplicate", 1, duplicate_of=first).status == 200
    head = TicketRepository("aduan-tickets-test").get(first)
    assert head is not None and head.follower_refs == ["citizen-2"] and head.duplicate_count == 2


def test_not_our_authority_sends_it_back_and_triage_suggests_another_agency(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    code = api.file(category_id="pkl-ketertiban", title="PKL di trotoar",
                    text="Pedagang kaki lima menutup trotoar", location={"lat": -7.05, "lon": 110.44})["tracking_code"]
    route(code)
    first = api("GET", f"/v1/complaints/{code}", who="verifier").body["suggestion"]
    assert first["agency_id"] == "kec-tembalang"
    assert api.act("verifier", code, "verify", 1).status == 200
    assert api.act("verifier", code, "assign", 2, agency_id="kec-tembalang").status == 200
    officer = {"sub": "officer-kec", "cognito:groups": "agency_officer", "custom:agency_id": "kec-tembalang"}
    monkeypatch.setitem(sys.modules[type(api).__module__].CLAIMS, "kec", officer)
    back = api.act("kec", code, "not_our_authority", 3, reason="Lokasi di jalan provinsi, wewenang Satpol PP")
    assert back.status == 200 and back.body["status"] == "returned"
    route(code, event_type="TicketStatusChanged")
    seen = api("GET", f"/v1/complaints/{code}", who="verifier").body
    assert seen["suggestion"]["agency_id"] == "satpol-pp" and seen["suggestion"]["excluded_agency_ids"] == [
        "kec-tembalang"]
    assert api.act("verifier", code, "assign", 4, agency_id="satpol-pp").status == 200
    history = _timeline(api, code)
    returned = next(e for e in history if e["action"] == "not_our_authority")
    assert returned["actor_id"] == "officer-kec" and returned["data"]["agency_id"] == "kec-tembalang"
    assert "provinsi" in returned["note"]
    assert [e["data"].get("agency_id") for e in history if e["type"] == "TicketAssigned"] == [
        "kec-tembalang", "satpol-pp"]
