"""POST /v1/desk/complaints: officers file what citizens told them in person, by phone, radio or paper."""

from __future__ import annotations

from conftest import Api

PHONE_CALL = {"channel": "phone", "title": "Pohon tumbang di Jl. Sriwijaya",
              "text": "Penelepon melaporkan pohon besar tumbang menutup separuh jalan sejak pukul 14.00.",
              "category_id": "jalan-rusak", "reporter": {"name": "Ibu Ratna", "phone": "0812-3456-0001"},
              "location": {"address": "Jl. Sriwijaya depan SMA 1"}}


def test_a_phone_complaint_is_filed_for_the_caller_who_becomes_an_sms_contact(api: Api) -> None:
    reply = api("POST", "/v1/desk/complaints", PHONE_CALL, who="verifier")
    assert reply.status == 201, reply.body
    code = reply.body["tracking_code"]
    assert reply.body["channel"] == "phone" and reply.body["status"] == "received"
    seen = api("GET", f"/v1/complaints/{code}", who="verifier").body
    assert seen["reporter"]["name"] == "Ibu Ratna"
    timeline = api("GET", f"/v1/complaints/{code}/timeline", who="verifier").body["items"]
    assert timeline[0]["actor_role"] == "verifier"
    import os

    from aduan.dal.contacts import ContactRepository
    from aduan.dal.tickets import TicketRepository

    ticket = TicketRepository(os.environ["TABLE_NAME"]).get(code)
    assert ticket is not None and ticket.reporter.ref == "sms:+6281234560001"
    contact = ContactRepository(os.environ["TABLE_NAME"]).get("sms:+6281234560001")
    assert contact is not None and contact.display_name == "Ibu Ratna"


def test_a_newspaper_complaint_needs_no_reporter_and_keeps_its_source(api: Api) -> None:
    body = {"channel": "newspaper", "title": "Surat pembaca: PJU mati di Banyumanik",
            "text": "Surat pembaca Suara Merdeka mengeluhkan lampu jalan mati sepanjang Jl. Setiabudi.",
            "source_reference": "Suara Merdeka, 23 November 2026, hlm. 7"}
    reply = api("POST", "/v1/desk/complaints", body, who="supervisor")
    assert reply.status == 201 and reply.body["channel"] == "newspaper"
    assert "Suara Merdeka, 23 November 2026" in reply.body["text"]


def test_only_the_desk_may_file_for_citizens_and_bad_input_is_422(api: Api) -> None:
    assert api("POST", "/v1/desk/complaints", PHONE_CALL, who="citizen").status == 403
    assert api("POST", "/v1/desk/complaints", PHONE_CALL, who="dpu").status == 403
    no_reporter = {**PHONE_CALL, "reporter": {}}
    assert api("POST", "/v1/desk/complaints", no_reporter, who="verifier").status == 422
    bad_phone = {**PHONE_CALL, "reporter": {"phone": "not a number"}}
    reply = api("POST", "/v1/desk/complaints", bad_phone, who="verifier")
    assert reply.status == 422 and reply.body["error"]["details"][0]["field"] == "reporter.phone"
    assert api("POST", "/v1/desk/complaints", {**PHONE_CALL, "channel": "fax"}, who="verifier").status == 422
