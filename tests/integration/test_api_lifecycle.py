"""A complaint through its whole life over the API handler, with access rules and concurrency."""

from __future__ import annotations

from typing import Any

import boto3

from conftest import Api


def test_file_follow_and_move_through_the_whole_lifecycle(api: Api) -> None:
    filed = api.file()
    code = filed["tracking_code"]
    assert filed["status"] == "received" and filed["version"] == 1
    assert filed["created_at"].endswith("+07:00")  # shown in the city's zone (WIB)
    assert api("GET", f"/v1/complaints/{code}").body["title"] == "Jalan berlubang di Jl. Pandanaran"

    desk = api("GET", "/v1/desk/complaints", who="verifier", query={"status": "received"})
    assert desk.status == 200 and code in [item["tracking_code"] for item in desk.body["items"]]

    steps: list[tuple[str, str, dict[str, Any], str]] = [
        ("verifier", "verify", {}, "verified"),
        ("verifier", "assign", {"agency_id": "dpu"}, "assigned"),
        ("dpu", "accept", {}, "accepted"),
        ("dpu", "start", {"note": "Tim menuju lokasi"}, "in_progress"),
        ("dpu", "resolve", {"response": "Lubang sudah ditambal pada 24 November"}, "in_review"),
        ("verifier", "approve_answer", {}, "resolved"),  # Semarang's desk reviews answers first
        ("citizen", "close", {}, "closed"),
    ]
    version = 1
    for who, action, fields, status in steps:
        reply = api.act(who, code, action, version, **fields)
        assert reply.status == 200, (action, reply.body)
        assert reply.body["status"] == status
        assert reply.body["version"] == version + 1
        version = reply.body["version"]

    timeline = api("GET", f"/v1/complaints/{code}/timeline", who="verifier").body["items"]
    assert [entry["type"] for entry in timeline] == [
        "TicketCreated", "TicketVerified", "TicketAssigned", "TicketStatusChanged", "TicketStatusChanged",
        "TicketStatusChanged", "TicketResolved", "TicketClosed",
    ]
    assert [entry["to_status"] for entry in timeline][-1] == "closed"
    rated = api("POST", f"/v1/complaints/{code}/rating", {"score": 5, "comment": "Terima kasih"})
    assert rated.status == 200 and rated.body["rating"]["score"] == 5
    assert api("GET", "/v1/agencies/dpu/complaints", who="dpu", query={"status": "closed"}).body["items"]


def test_two_officers_same_version_one_wins(api: Api) -> None:
    code = api.file()["tracking_code"]
    first = api.act("verifier", code, "verify", 1)
    second = api.act("supervisor", code, "hold", 1, note="Menunggu cek lapangan")
    assert first.status == 200
    assert second.status == 409 and second.body["error"]["code"] == "version_conflict"
    assert api("GET", f"/v1/complaints/{code}", who="verifier").body["status"] == "verified"


def test_illegal_transition_is_refused_and_writes_nothing(api: Api) -> None:
    code = api.file()["tracking_code"]
    reply = api.act("verifier", code, "resolve", 1, response="x")
    assert reply.status == 409 and reply.body["error"]["code"] == "invalid_transition"
    missing = api.act("verifier", code, "reject", 1)
    assert missing.status == 422 and missing.body["error"]["details"][0]["field"] == "reason"
    after = api("GET", f"/v1/complaints/{code}", who="verifier").body
    assert after["version"] == 1 and after["status"] == "received"
    assert len(api("GET", f"/v1/complaints/{code}/timeline", who="verifier").body["items"]) == 1


def test_roles_and_scopes(api: Api) -> None:
    code = api.file()["tracking_code"]
    assert api("GET", f"/v1/complaints/{code}", who="citizen2").status == 404
    assert api("GET", f"/v1/complaints/{code}", who="dpu").status == 403
    assert api.act("citizen", code, "verify", 1).status == 403
    assert api("GET", "/v1/desk/complaints", who="citizen").status == 403
    assert api("GET", "/v1/agencies/dpu/complaints", who="dlh").status == 403
    assert api("GET", f"/v1/complaints/{code}", who=None).status == 401
    api.act("verifier", code, "verify", 1)
    api.act("verifier", code, "assign", 2, agency_id="dpu")
    assert api("GET", f"/v1/complaints/{code}", who="dpu").status == 200
    assert api.act("dlh", code, "accept", 3).status == 403


def test_anonymous_reporter_is_hidden_from_the_agency(api: Api) -> None:
    code = api.file(anonymous=True)["tracking_code"]
    assert api("GET", f"/v1/complaints/{code}", who="verifier").body["reporter"]["ref"] == "citizen-1"
    api.act("verifier", code, "verify", 1)
    api.act("verifier", code, "assign", 2, agency_id="dpu")
    seen = api("GET", f"/v1/complaints/{code}", who="dpu").body
    assert seen["reporter"] is None
    queue = api("GET", "/v1/agencies/dpu/complaints", who="dpu", query={"status": "assigned"}).body["items"]
    assert all(item["reporter"] is None for item in queue if item["tracking_code"] == code)
    timeline = api("GET", f"/v1/complaints/{code}/timeline", who="dpu").body["items"]
    assert all(entry["actor_id"] is None for entry in timeline if entry["actor_role"] == "citizen")
    assert "citizen-1" not in str(seen) + str(queue) + str(timeline)


def test_not_our_authority_goes_back_to_the_desk(api: Api) -> None:
    code = api.file()["tracking_code"]
    api.act("verifier", code, "verify", 1)
    api.act("verifier", code, "assign", 2, agency_id="dlh")
    back = api.act("dlh", code, "not_our_authority", 3, reason="Jalan kota: wewenang DPU")
    assert back.body["status"] == "returned" and back.body["assigned_agency_id"] is None
    returned = api("GET", "/v1/desk/complaints", who="verifier", query={"status": "returned"}).body["items"]
    assert [item["tracking_code"] for item in returned] == [code]
    assert api.act("verifier", code, "assign", 4, agency_id="dpu").body["assigned_agency_id"] == "dpu"


def test_citizen_reply_resumes_a_ticket_waiting_for_info(api: Api) -> None:
    code = api.file()["tracking_code"]
    waiting = api.act("verifier", code, "request_info", 1, note="Mohon kirim foto lokasi")
    assert waiting.body["status"] == "need_info"
    reply = api("POST", f"/v1/complaints/{code}/comments", {"text": "Foto sudah saya unggah"})
    assert reply.status == 201 and reply.body["type"] == "CommentAdded"
    assert api("GET", f"/v1/complaints/{code}").body["status"] == "received"


def test_reopen_within_window(api: Api) -> None:
    code = api.file()["tracking_code"]
    for who, action, fields, version in [("verifier", "verify", {}, 1), ("verifier", "assign", {"agency_id": "dpu"}, 2),
                                         ("dpu", "start", {}, 3), ("dpu", "resolve", {"response": "Selesai"}, 4),
                                         ("verifier", "approve_answer", {}, 5)]:
        assert api.act(who, code, action, version, **fields).status == 200
    reopened = api("POST", f"/v1/complaints/{code}/reopen", {"reason": "Masih berlubang", "expected_version": 6})
    assert reopened.status == 200 and reopened.body["status"] == "reopened"
    desk = api("GET", "/v1/desk/complaints", who="verifier", query={"status": "reopened"}).body["items"]
    assert [item["tracking_code"] for item in desk] == [code]


def test_my_complaints_lists_only_mine_newest_first(api: Api) -> None:
    first = api.file()["tracking_code"]
    second = api.file(title="Sampah menumpuk di pasar")["tracking_code"]
    api.file(who="citizen2")
    mine = api("GET", "/v1/me/complaints").body["items"]
    assert [item["tracking_code"] for item in mine] == [second, first]


def test_paging_with_cursor(api: Api) -> None:
    codes = [api.file()["tracking_code"] for _ in range(5)]
    page = api("GET", "/v1/desk/complaints", who="verifier", query={"limit": "2"}).body
    seen = [item["tracking_code"] for item in page["items"]]
    while page["next_cursor"]:
        page = api("GET", "/v1/desk/complaints", who="verifier",
                   query={"limit": "2", "cursor": page["next_cursor"]}).body
        seen += [item["tracking_code"] for item in page["items"]]
    assert seen == codes  # oldest first


def test_attachment_upload_is_presigned_private_and_linked(api: Api) -> None:
    code = api.file()["tracking_code"]
    reply = api("POST", f"/v1/complaints/{code}/attachments",
                {"filename": "lubang.jpg", "content_type": "image/jpeg", "size_bytes": 350_000})
    assert reply.status == 201, reply.body
    upload = reply.body
    assert upload["fields"]["Content-Type"] == "image/jpeg"
    assert upload["fields"]["key"].startswith("attachments/")
    assert "policy" in {key.lower() for key in upload["fields"]}
    detail = api("GET", f"/v1/complaints/{code}").body
    assert [item["filename"] for item in detail["attachments"]] == ["lubang.jpg"]
    stored = boto3.client("dynamodb").query(
        TableName="aduan-tickets-test", KeyConditionExpression="pk = :pk AND begins_with(sk, :a)",
        ExpressionAttributeValues={":pk": {"S": f"T#{code}"}, ":a": {"S": "A#"}})["Items"]
    assert stored[0]["key"]["S"] == upload["fields"]["key"]
    too_big = api("POST", f"/v1/complaints/{code}/attachments",
                  {"filename": "a.jpg", "content_type": "image/jpeg", "size_bytes": 20_000_000})
    assert too_big.status == 422
    wrong_type = api("POST", f"/v1/complaints/{code}/attachments",
                     {"filename": "a.exe", "content_type": "application/x-msdownload", "size_bytes": 10})
    assert wrong_type.status == 422


def test_reference_data_is_public(api: Api) -> None:
    for path in ("/v1/categories", "/v1/agencies", "/v1/areas"):
        reply = api("GET", path, who=None)
        assert reply.status == 200 and len(reply.body) > 5
    areas = api("GET", "/v1/areas", who=None).body
    assert all(area.get("geometry") is None for area in areas)


def test_ticket_id_index_holds_only_open311_ticket_heads(api: Api) -> None:
    """Timeline entries and attachments carry `ticket_id` too; the index must not: it stays sparse. Only
    Open311 clients are handed the id (as their token), so only their heads enter it (tests/integration/
    test_open311.py resolves one): a web complaint costs no index write for it."""
    from aduan.dal.ticket_items import head_item
    from aduan.dal.tickets import TicketRepository
    from aduan.models.ticket import Channel

    created = api.file()
    code = created["tracking_code"]
    api.act("verifier", code, "verify", 1)
    api("POST", f"/v1/complaints/{code}/attachments",
        {"filename": "lubang.jpg", "content_type": "image/jpeg", "size_bytes": 1000})
    in_index = boto3.client("dynamodb").query(
        TableName="aduan-tickets-test", IndexName="by_ticket_id", KeyConditionExpression="head_ticket_id = :id",
        ExpressionAttributeValues={":id": {"S": created["id"]}})["Items"]
    assert in_index == [] and TicketRepository("aduan-tickets-test").code_for_id(created["id"]) is None
    ticket = TicketRepository("aduan-tickets-test").get(code)
    assert ticket is not None
    assert head_item(ticket.model_copy(update={"channel": Channel.OPEN311}))["head_ticket_id"] == {"S": ticket.id}


def test_a_status_change_rewrites_a_small_head_and_leaves_the_body_alone(api: Api) -> None:
    """The bulky fields live beside the head: the text in `#BODY`, written at the first change (a new
    complaint is one item, its text and its TicketCreated entry inline); the answer in `#OUTCOME`, written
    when it changes; neither on a plain status change. The head stays under 1 KB however long the
    citizen's text once it has been changed; reads see one ticket and its whole timeline."""
    long_text = " ".join(["Lubang besar di depan toko, sudah dua minggu tidak diperbaiki, bahaya."] * 10)
    created = api.file(text=long_text)
    code = created["tracking_code"]
    db = boto3.client("dynamodb")

    def stored(sk: str) -> dict[str, Any]:
        return db.get_item(TableName="aduan-tickets-test", Key={"pk": {"S": f"T#{code}"}, "sk": {"S": sk}}
                           ).get("Item", {})

    assert stored("#TICKET")["text"]["S"] == long_text and stored("#BODY") == {}
    timeline = api("GET", f"/v1/complaints/{code}/timeline", who="citizen").body["items"]
    assert [entry["type"] for entry in timeline] == ["TicketCreated"]  # inline on the head, read with it
    assert api.act("verifier", code, "verify", 1).status == 200
    body_at_first_change = stored("#BODY")
    assert body_at_first_change["text"]["S"] == long_text and "text" not in stored("#TICKET")
    assert "pending_events" not in stored("#TICKET")
    timeline = api("GET", f"/v1/complaints/{code}/timeline", who="citizen").body["items"]
    assert [entry["type"] for entry in timeline] == ["TicketCreated", "TicketVerified"]
    assert api.act("verifier", code, "assign", 2, agency_id="dpu").status == 200
    body_at_filing = body_at_first_change
    assert stored("#BODY") == body_at_filing  # not written again: the transitions changed no body field
    from infra.bench.capacity import item_size

    assert item_size(stored("#TICKET")) < 1024
    assert api.act("dpu", code, "start", 3).status == 200
    assert api.act("dpu", code, "resolve", 4, response="Sudah ditambal").status == 200
    assert stored("#BODY") == body_at_filing  # the answer is in the small `#OUTCOME`: the text is not rewritten
    assert stored("#OUTCOME")["answer_draft"]["S"] == "Sudah ditambal"
    view = api("GET", f"/v1/complaints/{code}", who="verifier").body
    assert view["text"] == long_text and view["status"] == "in_review"
    queue = api("GET", "/v1/desk/complaints", who="verifier", query={"status": "in_review"}).body
    assert [(item["tracking_code"], item["text"]) for item in queue["items"]] == [(code, long_text)]
