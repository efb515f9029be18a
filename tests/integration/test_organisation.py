"""How the city really works a complaint, over the API handler: disposition down the agency hierarchy
with the parent's oversight, reasons on every reassignment, the desk's review of answers, complaint
types, the cap on waiting for the reporter, and places outside the city (docs/organisation.md)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.conftest import Api
from tests.integration.test_sla_engine import World
from tests.integration.triage_helpers import route

OFFICERS = {
    "bina-marga": {"sub": "officer-bm", "cognito:groups": "agency_officer", "custom:agency_id": "dpu-bina-marga"},
    "sda": {"sub": "officer-sda", "cognito:groups": "agency_officer", "custom:agency_id": "dpu-sda"},
    "kec-candisari": {"sub": "officer-kc", "cognito:groups": "agency_officer", "custom:agency_id": "kec-candisari"},
    "kel-jomblang": {"sub": "officer-kj", "cognito:groups": "agency_officer", "custom:agency_id": "kel-jomblang"},
}


@pytest.fixture
def org(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    claims_of = sys.modules[type(api).__module__].CLAIMS  # the conftest instance the fixture was built from
    for name, claims in OFFICERS.items():
        monkeypatch.setitem(claims_of, name, claims)
    yield api


def _assigned(api: Api, agency: str = "dpu") -> str:
    code = api.file()["tracking_code"]
    assert api.act("verifier", code, "verify", 1).status == 200
    assert api.act("verifier", code, "assign", 2, agency_id=agency).status == 200
    return str(code)


def _timeline(api: Api, code: str, who: str = "verifier") -> list[dict[str, Any]]:
    return list(api("GET", f"/v1/complaints/{code}/timeline", who=who).body["items"])


def test_an_agency_disposes_to_its_bidang_which_works_it_while_the_parent_oversees(org: Api) -> None:
    api = org
    code = _assigned(api)
    assert api("GET", f"/v1/complaints/{code}", who="bina-marga").status == 403  # not yet theirs
    missing = api.act("dpu", code, "dispose", 3, agency_id="dpu-bina-marga")
    assert missing.status == 422 and missing.body["error"]["details"][0]["field"] == "note"
    foreign = api.act("dpu", code, "dispose", 3, agency_id="dlh-kebersihan", note="Tolong tangani")
    assert foreign.status == 422 and foreign.body["error"]["details"][0]["field"] == "agency_id"
    disposed = api.act("dpu", code, "dispose", 3, agency_id="dpu-bina-marga", note="Tambal paling lambat Jumat")
    assert disposed.status == 200, disposed.body
    assert disposed.body["assigned_agency_id"] == "dpu-bina-marga" and disposed.body["status"] == "assigned"
    assert disposed.body["agency_path"] == ["dpu", "dpu-bina-marga"]
    # The sub-unit works it; the parent keeps read access and its queue view, but not the sub-unit's work.
    assert api("GET", "/v1/agencies/dpu-bina-marga/complaints", who="dpu").status == 200
    assert code in [c["tracking_code"] for c in api("GET", "/v1/agencies/dpu-bina-marga/complaints",
                                                     who="bina-marga").body["items"]]
    parent_view = api("GET", f"/v1/complaints/{code}", who="dpu").body
    assert parent_view["allowed_actions"] == ["dispose"]
    assert api.act("dpu", code, "accept", 4).status == 403
    assert api("GET", f"/v1/complaints/{code}", who="sda").status == 403  # a sibling sees nothing
    assert api.act("bina-marga", code, "accept", 4).status == 200
    # Redirecting to another sub-unit is a reassignment: it needs a reason.
    no_reason = api.act("dpu", code, "dispose", 5, agency_id="dpu-sda", note="Ini saluran")
    assert no_reason.status == 422 and no_reason.body["error"]["details"][0]["field"] == "reason"
    moved = api.act("dpu", code, "dispose", 5, agency_id="dpu-sda", note="Ini saluran",
                    reason="Penyebabnya saluran tersumbat")
    assert moved.status == 200 and moved.body["assigned_agency_id"] == "dpu-sda"
    # Returning it up needs a reason, and lands with the parent again.
    assert api.act("sda", code, "return_up", 6).status == 422
    back = api.act("sda", code, "return_up", 6, reason="Bukan saluran kota, saluran lingkungan")
    assert back.status == 200 and back.body["assigned_agency_id"] == "dpu" and back.body["agency_path"] == ["dpu"]
    entries = [e for e in _timeline(api, code) if e["action"] in ("dispose", "return_up")]
    assert [(e["action"], e["data"]["agency_id"], e["actor_id"]) for e in entries] == [
        ("dispose", "dpu-bina-marga", "officer-dpu"), ("dispose", "dpu-sda", "officer-dpu"),
        ("return_up", "dpu", "officer-sda")]
    assert entries[0]["data"]["instruction"] == "Tambal paling lambat Jumat" and entries[0]["internal"]
    assert entries[1]["actor_role"] == "parent_agency" and entries[1]["data"]["reason"]
    # The citizen sees the status, not the internal instructions.
    assert not [e for e in _timeline(api, code, "citizen") if e["action"] in ("dispose", "return_up")]
    # An OPD at the top returns to the desk with not_our_authority; a sub-unit cannot skip its parent.
    assert api.act("dpu", code, "not_our_authority", 7, reason="Jalan provinsi").status == 200


def test_a_sub_unit_cannot_skip_its_parent_and_a_parent_can_take_it_back(org: Api) -> None:
    api = org
    code = _assigned(api)
    api.act("dpu", code, "dispose", 3, agency_id="dpu-bina-marga", note="Cek lokasi")
    skipped = api.act("bina-marga", code, "not_our_authority", 4, reason="Bukan urusan kami")
    assert skipped.status == 409 and "return_up" in skipped.body["error"]["message"]
    taken = api.act("dpu", code, "dispose", 4, agency_id="dpu", note="Kami tangani langsung",
                    reason="Bidang sedang penuh")
    assert taken.status == 200 and taken.body["assigned_agency_id"] == "dpu" and taken.body["agency_path"] == ["dpu"]
    assert api("GET", f"/v1/complaints/{code}", who="bina-marga").status == 403


def test_a_kecamatan_disposes_to_its_kelurahan_office(org: Api) -> None:
    api = org
    code = _assigned(api, "kec-candisari")
    wrong = api.act("kec-candisari", code, "dispose", 3, agency_id="kel-tembalang", note="Cek")
    assert wrong.status == 422  # a kelurahan of another kecamatan
    done = api.act("kec-candisari", code, "dispose", 3, agency_id="kel-jomblang", note="Mohon cek ke lokasi")
    assert done.status == 200 and done.body["agency_path"] == ["kec-candisari", "kel-jomblang"]
    assert api.act("kel-jomblang", code, "start", 4).status == 200
    assert api("GET", f"/v1/complaints/{code}", who="kec-candisari").status == 200


def test_the_desk_must_say_why_it_takes_a_complaint_from_an_agency(org: Api) -> None:
    api = org
    code = _assigned(api)
    refused = api.act("verifier", code, "assign", 3, agency_id="dlh")
    assert refused.status == 422 and refused.body["error"]["details"][0]["field"] == "reason"
    moved = api.act("verifier", code, "assign", 3, agency_id="dlh", reason="Sampah, bukan jalan")
    assert moved.status == 200
    assigned = [e for e in _timeline(api, code) if e["type"] == "TicketAssigned"]
    assert assigned[-1]["data"] == {"agency_id": "dlh", "previous_agency_id": "dpu",
                                    "reason": "Sampah, bukan jalan", "level": 1}


def test_the_desk_reviews_an_answer_before_the_reporter_hears_it(org: Api) -> None:
    api = org
    code = _assigned(api)
    api.act("dpu", code, "start", 3)
    answered = api.act("dpu", code, "resolve", 4, response="Akan kami survei")
    assert answered.status == 200 and answered.body["status"] == "in_review"
    assert answered.body["answer_draft"] == "Akan kami survei"
    mine = api("GET", f"/v1/complaints/{code}").body
    assert mine["status"] == "in_review" and mine["resolution"] is None and mine["answer_draft"] is None
    assert "Akan kami survei" not in str(_timeline(api, code, "citizen"))
    queue = api("GET", "/v1/desk/complaints", who="verifier", query={"status": "in_review"}).body["items"]
    assert code in [item["tracking_code"] for item in queue]
    assert api.act("verifier", code, "return_answer", 5).status == 422  # the note is the point
    returned = api.act("verifier", code, "return_answer", 5, note="Jawaban belum menyelesaikan: kapan ditambal?")
    assert returned.status == 200 and returned.body["status"] == "in_progress"
    api.act("dpu", code, "resolve", 6, response="Lubang ditambal 24 November")
    approved = api.act("verifier", code, "approve_answer", 7)
    assert approved.status == 200 and approved.body["status"] == "resolved"
    mine = api("GET", f"/v1/complaints/{code}").body
    assert mine["resolution"] == "Lubang ditambal 24 November" and mine["resolved_at"]
    resolved = [e for e in _timeline(api, code, "citizen") if e["type"] == "TicketResolved"]
    assert len(resolved) == 1 and resolved[0]["action"] == "approve_answer"


def test_complaint_types_from_the_citizen_and_the_desk(org: Api) -> None:
    api = org
    asked = api.file(complaint_type="permintaan_informasi", title="Jadwal pengerukan sungai",
                     text="Kapan jadwal pengerukan Kali Semarang tahun depan?")
    assert asked["complaint_type"] == "permintaan_informasi"
    assert asked["complaint_type_label"] == {"id": "Permintaan informasi", "en": "Information request"}
    assert api("POST", "/v1/complaints", {"title": "Usul", "text": "Usul taman baca di balai RW",
                                          "complaint_type": "keluhan"}).status == 422
    code = asked["tracking_code"]
    bad = api.act("verifier", code, "set_type", 1)
    assert bad.status == 422 and bad.body["error"]["details"][0]["field"] == "complaint_type"
    changed = api.act("verifier", code, "set_type", 1, complaint_type="aspirasi", note="Ini usulan")
    assert changed.status == 200 and changed.body["complaint_type"] == "aspirasi"
    assert changed.body["status"] == "received"
    desk = api("POST", "/v1/desk/complaints", {
        "channel": "phone", "title": "Info layanan KTP", "text": "Penelepon menanyakan syarat KTP elektronik baru",
        "reporter": {"name": "Budi"}, "complaint_type": "permintaan_informasi"}, who="verifier")
    assert desk.status == 201 and desk.body["complaint_type"] == "permintaan_informasi"


def test_a_point_outside_the_city_is_flagged_for_the_desk(org: Api) -> None:
    api = org
    code = api.file(location={"lat": -7.26, "lon": 110.40, "address": "Ungaran"})["tracking_code"]
    route(code)
    view = api("GET", f"/v1/complaints/{code}", who="verifier").body
    assert view["outside_city"] is True
    suggestion = view["suggestion"]
    assert suggestion["rule_id"] == "outside-city" and suggestion["agency_id"] == "p3m-desk"
    assert "di luar wilayah" in suggestion["reason"].lower() and "Kabupaten Semarang" in suggestion["reason"]
    assert suggestion["auto_assign"] is False
    assert api("GET", f"/v1/complaints/{code}").body["outside_city"] is False  # a desk flag, not the citizen's
    inside = api.file()["tracking_code"]
    route(inside)
    assert api("GET", f"/v1/complaints/{inside}", who="verifier").body["outside_city"] is False


def test_waiting_for_the_reporter_at_the_desk_ends_closed_as_incomplete(org: Api) -> None:
    world = World(org)
    try:
        code = org.file()["tracking_code"]
        world.deliver(code)
        assert org.act("verifier", code, "request_info", 1, note="Mohon alamat lengkap").status == 200
        world.deliver(code)
        assert world.ticket(code)["sla"]["stage"] == "citizen_info"
        closed = world.wait_out_the_citizen(code)
        assert closed["action"] == "close_incomplete"
        assert "Closed as incomplete" in closed["note"]
        assert [e for e in _timeline(org, code, "citizen") if e["type"] == "TicketClosed"]  # the citizen is told
        world.deliver(code)
        assert world.sweep()["fired"] == {}
    finally:
        from aduan.logic import clock

        clock.set_clock(None)


def test_the_escalation_ladder_names_its_people_on_the_timeline(org: Api) -> None:
    world = World(org)
    try:
        code = _assigned(org)
        assert org.act("dpu", code, "dispose", 3, agency_id="dpu-bina-marga", note="Segera tambal").status == 200
        world.deliver(code)
        world.advance(days=5)  # 3 working days for a bidang's first response, then the breach
        world.sweep()
        breached = world.sla_events(code, "SlaBreached")
        assert [e["data"]["stage"] for e in breached] == ["first_response"]
        assert breached[0]["data"]["recipients"] == [{"title_id": "Kepala bidang / UPTD / lurah",
                                                      "title_en": "Head of the bidang, UPTD or kelurahan",
                                                      "agency_id": "dpu-bina-marga"}]
        world.advance(days=4)
        world.sweep()
        rungs = [e["data"]["recipients"] for e in world.sla_events(code, "SlaEscalated")]
        assert rungs[0] == [{"title_id": "Kepala dinas / camat", "title_en": "Head of agency or camat",
                             "agency_id": "dpu"}]
        officer_view = [e for e in _timeline(org, code) if e["type"] in ("SlaBreached", "SlaEscalated")]
        assert officer_view and all(e["data"].get("recipients") for e in officer_view)
    finally:
        from aduan.logic import clock

        clock.set_clock(None)
