"""The verification desk with triage: the queue shows suggestion, duplicates and priority; bulk
actions act per complaint and answer per complaint."""

from __future__ import annotations

from tests.integration.conftest import Api
from tests.integration.triage_helpers import route


def test_the_desk_queue_shows_suggestion_duplicates_and_priority_oldest_or_urgent_first(api: Api) -> None:
    pothole = api.file()["tracking_code"]
    flood = api.file(title="Banjir", category_id=None, text="Banjir setinggi lutut di Kaligawe sejak pagi",
                     location={"lat": -6.98, "lon": 110.46})["tracking_code"]
    again = api.file(who="citizen2", text="Lubang besar di jalan depan toko oleh-oleh")["tracking_code"]
    route(pothole, flood, again)
    oldest = api("GET", "/v1/desk/complaints", who="verifier").body["items"]
    assert [item["tracking_code"] for item in oldest] == [pothole, flood, again]
    urgent = api("GET", "/v1/desk/complaints", who="verifier", query={"order": "urgent"}).body["items"]
    assert urgent[0]["tracking_code"] == flood and urgent[0]["priority"] == "urgent"
    shown = {item["tracking_code"]: item for item in oldest}
    assert shown[flood]["suggestion"]["category_id"] == "banjir-rob"
    assert shown[flood]["suggestion"]["category_source"] == "classifier"
    assert shown[flood]["suggestion"]["agency_id"] == "dpu"
    assert [c["tracking_code"] for c in shown[again]["duplicate_candidates"]] == [pothole]


def test_bulk_accepts_suggestions_and_reports_each_complaint(api: Api) -> None:
    first = api.file()["tracking_code"]
    second = api.file(title="Sampah", category_id="sampah", text="Sampah menumpuk di TPS tidak diangkut",
                      location={"lat": -7.05, "lon": 110.44})["tracking_code"]
    unrouted = api.file(title="Mohon dicek", text="mohon dicek", category_id=None, location=None)["tracking_code"]
    route(first, second)
    reply = api("POST", "/v1/desk/bulk", {"action": "accept_suggestion", "items": [
        {"tracking_code": first, "expected_version": 1}, {"tracking_code": second, "expected_version": 1},
        {"tracking_code": unrouted, "expected_version": 1}, {"tracking_code": "ADU-ZZZZ-ZZ", "expected_version": 1},
    ]}, who="verifier")
    assert reply.status == 200 and reply.body["succeeded"] == 2 and reply.body["failed"] == 2, reply.body
    results = {item["tracking_code"]: item for item in reply.body["results"]}
    assert results[first]["status"] == "assigned" and results[first]["assigned_agency_id"] == "dpu"
    assert results[first]["version"] == 3  # verified and assigned: two steps, one save
    assert results[second]["assigned_agency_id"] == "dlh"
    assert results[unrouted]["error"]["code"] == "not_routed"
    assert results["ADU-ZZZZ-ZZ"]["error"]["code"] == "not_found"
    timeline = api("GET", f"/v1/complaints/{first}/timeline", who="verifier").body["items"]
    assert [entry["type"] for entry in timeline][-2:] == ["TicketVerified", "TicketAssigned"]
    assert "suggestion accepted" in timeline[-1]["note"]


def test_bulk_reject_needs_a_reason_and_a_stale_version_fails_alone(api: Api) -> None:
    spam = [api.file(title="promo", text="Jual pulsa murah hubungi kami", category_id=None)["tracking_code"]
            for _ in range(3)]
    items = [{"tracking_code": code, "expected_version": 1} for code in spam]
    missing = api("POST", "/v1/desk/bulk", {"action": "reject", "items": items}, who="verifier")
    assert missing.status == 200 and missing.body["failed"] == 3
    assert {r["error"]["code"] for r in missing.body["results"]} == {"validation_error"}
    assert api.act("verifier", spam[0], "verify", 1).status == 200  # now version 2: the bulk's 1 is stale
    done = api("POST", "/v1/desk/bulk", {"action": "reject", "items": items, "reason": "Iklan, bukan aduan"},
               who="verifier")
    results = {item["tracking_code"]: item for item in done.body["results"]}
    assert results[spam[0]]["error"]["code"] == "version_conflict"
    assert results[spam[1]]["status"] == results[spam[2]]["status"] == "rejected"


def test_bulk_is_for_the_desk_only_and_validates_its_body(api: Api) -> None:
    body = {"action": "verify", "items": [{"tracking_code": "ADU-AAAA-AA", "expected_version": 1}]}
    assert api("POST", "/v1/desk/bulk", body, who="dpu").status == 403
    assert api("POST", "/v1/desk/bulk", {**body, "items": []}, who="verifier").status == 422
    twice = {**body, "items": body["items"] * 2}
    assert api("POST", "/v1/desk/bulk", twice, who="verifier").status == 422
    assert api("POST", "/v1/desk/bulk", {**body, "action": "resolve"}, who="verifier").status == 422
