"""Issue 16: what an attacker or a careless client sends never gets a 5xx or a reporter's identity."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest
from test_exports import EXPORTS, exporting, work  # noqa: F401  (fixture)

from conftest import Api, Context, rest_event

PHONE = "+6281299887766"
ANON_CALL = {"channel": "phone", "title": "Saluran air mampet di Jl. Pandanaran",
             "text": "Penelepon melaporkan saluran air mampet dan meluap ke jalan sejak pagi.",
             "category_id": "jalan-rusak", "reporter": {"name": "Pak Anonim", "phone": "0812-9988-7766"},
             "anonymous": True, "location": {"lat": -6.9876, "lon": 110.4121, "address": "Jl. Pandanaran 12"}}
SECRETS = ("citizen-2", PHONE, "6281299887766", "081299887766", "Pak Anonim", "Jl. Pandanaran 12", "sms:")


def assert_error(reply: Any, status: int, code: str | None = None) -> None:
    assert reply.status == status, reply.body
    assert set(reply.body) == {"error"} and set(reply.body["error"]) == {"code", "message", "details"}
    assert code is None or reply.body["error"]["code"] == code


def assert_hidden(where: str, payload: Any) -> None:
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaks through {where}"


def test_anonymous_reporters_stay_hidden_on_every_surface(api: Api, exporting: str) -> None:  # noqa: F811
    parent = api.file()["tracking_code"]
    api.act("verifier", parent, "verify", 1)
    api.act("verifier", parent, "assign", 2, agency_id="dpu")
    by_phone = api("POST", "/v1/desk/complaints", ANON_CALL, who="verifier").body["tracking_code"]
    by_app = api.file(who="citizen2", anonymous=True)["tracking_code"]
    for child in (by_phone, by_app):
        assert api.act("verifier", child, "mark_duplicate", 1, duplicate_of=parent).status == 200
    # An anonymous complaint of its own, reassigned and commented on by its reporter.
    own = api.file(who="citizen2", anonymous=True, title="Lampu PJU mati di Jl. Pemuda",
                   text="Lampu jalan mati tiga hari, gelap sekali di malam hari.")["tracking_code"]
    api.act("verifier", own, "verify", 1)
    api.act("verifier", own, "assign", 2, agency_id="dlh")
    assert api.act("dlh", own, "not_our_authority", 3, reason="Bukan kewenangan DLH").status == 200
    reassigned = api.act("verifier", own, "assign", 4, agency_id="dpu")
    assert reassigned.status == 200, reassigned.body
    assert api("POST", f"/v1/complaints/{own}/comments", {"text": "Masih gelap"}, who="citizen2").status == 201

    dpu = api("GET", "/v1/agencies/dpu/complaints", who="dpu").body
    assert_hidden("the agency queue", dpu)
    for code in (parent, own):
        complaint = api("GET", f"/v1/complaints/{code}", who="dpu")
        timeline = api("GET", f"/v1/complaints/{code}/timeline", who="dpu")
        assert complaint.status == timeline.status == 200, (complaint.body, timeline.body)
        assert_hidden(f"{code} for DPU", complaint.body)
        assert_hidden(f"{code}'s timeline for DPU", timeline.body)
        assert_hidden(f"{code} in public", api("GET", f"/v1/public/complaints/{code}", who=None).body)
    merged = [e for e in api("GET", f"/v1/complaints/{parent}/timeline", who="dpu").body["items"]
              if e["type"] == "DuplicateMerged"]
    assert len(merged) == 2 and all("follower_ref" not in entry["data"] for entry in merged)
    assert_hidden("the public feed", api("GET", "/v1/public/complaints", who=None).body)
    assert_hidden("public stats", api("GET", "/v1/public/stats", who=None).body)
    assert_hidden("stats", api("GET", "/v1/stats", who="dpu").body)
    from aduan.handlers.api import handler

    for path in ("/open311/v2/requests.json", "/open311/v2/requests.xml"):
        assert_hidden(path, handler(rest_event("GET", path), Context())["body"])  # type: ignore[arg-type]
    today = api("GET", f"/v1/complaints/{parent}", who="dpu").body["created_at"][:10]
    export = api("POST", "/v1/exports", {"kind": "complaints", "from": today, "to": today}, who="dpu")
    assert export.status == 202, export.body
    work(exporting)
    from aduan.dal.exports import ExportRepository

    key = ExportRepository("aduan-tickets-test").get(export.body["export_id"])["key"]  # type: ignore[index]
    assert_hidden("DPU's export", boto3.client("s3").get_object(Bucket=EXPORTS, Key=key)["Body"].read().decode())


def test_an_officer_without_an_agency_is_refused(api: Api) -> None:
    from conftest import CLAIMS

    CLAIMS["stray"] = {"sub": "officer-x", "cognito:groups": "agency_officer"}
    try:
        assert_error(api("POST", "/v1/exports", {"kind": "complaints", "from": "2026-11-01", "to": "2026-11-02"},
                         who="stray"), 403)
        assert_error(api("GET", "/v1/stats", who="stray"), 403)
    finally:
        del CLAIMS["stray"]


def raw(method: str, path: str, body: str | bytes, content_type: str | None = "application/json",
        who: str | None = "citizen") -> tuple[int, dict[str, Any], int]:
    from aduan.handlers.api import handler

    headers = {"Content-Type": content_type} if content_type else {}
    event = rest_event(method, path, None, who, headers=headers)
    if content_type is None:
        event["headers"].pop("Content-Type")
        event["multiValueHeaders"].pop("Content-Type")
    if isinstance(body, bytes):
        event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    else:
        event["body"] = body
    answer = handler(event, Context())  # type: ignore[arg-type]
    text = answer["body"]
    return answer["statusCode"], json.loads(text), len(text)


GOOD = json.dumps({"title": "Lampu PJU mati", "text": "Lampu jalan mati sejak tiga hari, gelap sekali."})


@pytest.mark.parametrize(("body", "content_type", "status", "code"), [
    (GOOD, "text/plain", 415, "unsupported_media_type"),
    (GOOD, "application/xml", 415, "unsupported_media_type"),
    (GOOD, "application/octet-stream", 415, "unsupported_media_type"),
    (GOOD, "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    (GOOD, "application/json; charset=utf-16", 415, "unsupported_media_type"),
    (b'{"title": "\xff\xfe bad", "text": "x"}', "application/json", 400, "invalid_json"),
    (GOOD.encode("utf-16"), "application/json", 400, "invalid_json"),
    ("[" * 10_000 + "]" * 10_000, "application/json", 400, "too_deep"),
    ('{"a":' * 5000 + "1" + "}" * 5000, "application/json", 400, "too_deep"),
    ('{"title": ' + "9" * 5000 + "}", "application/json", 400, "invalid_json"),
    ('{"title": NaN}', "application/json", 400, "invalid_json"),
    ("x" * 300_000, "application/json", 413, "payload_too_large"),
])
def test_bodies_the_api_will_not_parse(api: Api, body: str | bytes, content_type: str, status: int,
                                       code: str) -> None:
    for path in ("/v1/complaints", "/v1/complaints/ADU-0000-00/comments", "/v1/exports"):
        answer, document, _ = raw("POST", path, body, content_type)
        assert answer == status and document["error"]["code"] == code, (path, document)


def test_many_unknown_keys_get_a_small_422(api: Api) -> None:
    body = json.dumps({f"k{n}": n for n in range(100_000)})[:250_000].rsplit(",", 1)[0] + "}"
    status, document, size = raw("POST", "/v1/complaints", body)
    assert status == 422 and size < 10_000 and document["error"]["details"][-1]["type"] == "truncated"


@pytest.mark.parametrize(("field", "value"), [
    ("anonymous", "yes"), ("anonymous", 1), ("location", {"lat": "-6.9", "lon": 110.4}),
    ("title", "\x00\x00\x00\x00"), ("title", "\u200b\u200b\u200b\u200b"), ("title", " \ufeff \u200d "),
])
def test_strict_types_and_readable_titles(api: Api, field: str, value: Any) -> None:
    body = {"title": "Lampu PJU mati", "text": "Lampu jalan mati sejak tiga hari.", field: value}
    assert_error(api("POST", "/v1/complaints", body), 422)


def test_scores_and_versions_are_numbers_not_strings(api: Api) -> None:
    code = api.file()["tracking_code"]
    assert_error(api.act("verifier", code, "verify", "1"), 422)  # type: ignore[arg-type]
    assert_error(api("POST", f"/v1/complaints/{code}/rating", {"score": "5"}), 422)


def test_control_characters_never_reach_the_xml_feed_or_a_spreadsheet(api: Api, exporting: str) -> None:  # noqa: F811
    from aduan.handlers.api import handler

    filed = api.file(title="=HYPERLINK(\"http://evil.example\")\x1b[31m", text="@SUM(A1:A9)\x00 lubang besar di jalan")
    assert "\x1b" not in filed["title"] and "\x00" not in filed["text"]
    code = filed["tracking_code"]
    api.act("verifier", code, "verify", 1)
    from xml.etree import ElementTree

    answer = handler(rest_event("GET", "/open311/v2/requests.xml"), Context())  # type: ignore[arg-type]
    assert answer["statusCode"] == 200
    ElementTree.fromstring(answer["body"].split("?>", 1)[1])  # well-formed
    day = filed["created_at"][:10]
    export = api("POST", "/v1/exports", {"kind": "complaints", "from": day, "to": day}, who="supervisor")
    work(exporting)
    from aduan.dal.exports import ExportRepository

    key = ExportRepository("aduan-tickets-test").get(export.body["export_id"])["key"]  # type: ignore[index]
    csv_text = boto3.client("s3").get_object(Bucket=EXPORTS, Key=key)["Body"].read().decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'@SUM" in csv_text and ",=HYPERLINK" not in csv_text


def test_a_stored_control_character_still_renders_well_formed_xml() -> None:
    from xml.etree import ElementTree

    from aduan.logic import open311

    document = open311.render("xml", "service_requests", [{"description": "rusak\x00\x1b parah"}])
    assert ElementTree.fromstring(document.split("?>", 1)[1]).find("request/description").text == "rusak parah"


@pytest.mark.parametrize(("path", "query", "who"), [
    ("/v1/public/complaints", {"to": "0001-01-01"}, None),
    ("/v1/public/complaints", {"from": "9999-12-31"}, None),
    ("/v1/public/stats", {"to": "0001-01-01"}, None),
    ("/v1/stats", {"to": "0001-01-01"}, "supervisor"),
    ("/v1/stats", {"from": "9999-12-31", "to": "9999-12-31"}, "supervisor"),
    ("/v1/stats/trending", {"week": "9999-12-31"}, "supervisor"),
    ("/v1/stats/trending", {"week": "0001-01-01"}, "supervisor"),
    ("/v1/agencies/dpu/sla", {"to": "0001-01-01"}, "supervisor"),
    ("/v1/agencies/dpu/sla", {"from": "9999-12-31", "to": "9999-12-31"}, "supervisor"),
])
def test_edge_dates_are_422_not_500(api: Api, path: str, query: dict[str, str], who: str | None) -> None:
    assert_error(api("GET", path, who=who, query=query), 422)


def test_edge_dates_in_open311_and_exports(api: Api, exporting: str) -> None:  # noqa: F811
    from aduan.handlers.api import handler

    for query in ({"end_date": "0001-01-01T00:00:00Z"}, {"start_date": "9999-12-31T23:59:59Z"}):
        answer = handler(rest_event("GET", "/open311/v2/requests.json", query=query), Context())  # type: ignore[arg-type]
        assert answer["statusCode"] == 400, answer["body"]
    for period in ({"from": "9999-12-30", "to": "9999-12-31"}, {"from": "0001-01-01", "to": "0001-01-02"}):
        assert_error(api("POST", "/v1/exports", {"kind": "complaints", **period}, who="supervisor"), 422)


def test_an_export_that_cannot_be_produced_fails_without_a_retry(api: Api, exporting: str) -> None:  # noqa: F811
    from aduan.dal.exports import ExportRepository

    repository = ExportRepository("aduan-tickets-test")
    repository.create({"export_id": "01EDGE", "kind": "complaints", "status": "pending", "date_from": "9999-12-30",
                       "date_to": "9999-12-31", "group_by": "agency", "requested_by": "supervisor-1",
                       "entitled": True, "agency_id": None, "created_at": "2026-11-23T00:00:00Z"})
    boto3.client("sqs").send_message(QueueUrl=exporting, MessageBody=json.dumps({"export_id": "01EDGE"}))
    work(exporting)  # no batch item failure: nothing is retried into the DLQ
    assert repository.get("01EDGE")["status"] == "failed"  # type: ignore[index]


def test_comments_and_uploads_are_bounded_per_citizen_and_per_complaint(api: Api, monkeypatch: pytest.MonkeyPatch
                                                                       ) -> None:
    from aduan.models import limits as limits_module

    bounded = limits_module.Limits.model_validate({"citizen": {
        "comments_per_complaint": 3, "comments_per_citizen_hour": 4,
        "attachments_per_complaint": 2, "attachments_per_citizen_hour": 10}})
    monkeypatch.setattr(limits_module, "limits", lambda: bounded)
    import aduan.services.tickets as tickets_module

    monkeypatch.setattr(tickets_module, "limits", lambda: bounded)
    first, second = api.file()["tracking_code"], api.file()["tracking_code"]
    for _ in range(3):
        assert api("POST", f"/v1/complaints/{first}/comments", {"text": "Mohon segera"}).status == 201
    assert_error(api("POST", f"/v1/complaints/{first}/comments", {"text": "Mohon segera"}), 429, "limit_reached")
    # The fourth this hour counted (refused) above: the fifth is over the hourly limit on another complaint.
    assert_error(api("POST", f"/v1/complaints/{second}/comments", {"text": "Mohon segera"}), 429, "rate_limited")
    # Officers are not limited.
    assert api("POST", f"/v1/complaints/{first}/comments", {"text": "Dicek", "internal": True},
               who="verifier").status == 201
    upload = {"filename": "foto.jpg", "content_type": "image/jpeg", "size_bytes": 1000}
    for _ in range(2):
        assert api("POST", f"/v1/complaints/{second}/attachments", upload).status == 201
    assert_error(api("POST", f"/v1/complaints/{second}/attachments", upload), 429, "limit_reached")


def test_open311_limit_applies_without_an_identifier(api: Api) -> None:
    from test_open311 import call, good_form

    form = good_form()
    del form["email"]
    answers = [call("POST", "/open311/v2/requests.json", form)[0] for _ in range(22)]
    assert answers.count(201) == 20 and answers[-1] == 429  # routing.json: 20 an hour per sender


def test_open311_tokens_never_reveal_a_confidential_complaint(api: Api) -> None:
    from test_open311 import call, good_form

    secret = api.file(confidential=True)
    status, _, body = call("GET", f"/open311/v2/tokens/{secret['id']}.json")
    assert status == 404 and secret["tracking_code"] not in body
    # Tokens are what Open311 clients were handed: only their complaints resolve (docs/data-model.md).
    status, _, created = call("POST", "/open311/v2/requests.json", good_form())
    assert status == 201
    plain = json.loads(created)[0]
    status, _, body = call("GET", f"/open311/v2/tokens/{plain['token']}.json")
    assert status == 200 and plain["service_request_id"] in body


def test_open311_refuses_a_long_description_instead_of_truncating(api: Api) -> None:
    from test_open311 import call, good_form

    status, _, body = call("POST", "/open311/v2/requests.json", good_form(description="Jalan rusak. " * 500))
    assert status == 400 and "5000" in body


def test_no_deployable_seed_holds_the_demo_open311_key() -> None:
    from aduan.models.transparency import load_transparency_file
    from infra.seed import DEFAULT_TRANSPARENCY, with_local_clients

    deployed = load_transparency_file(DEFAULT_TRANSPARENCY)
    assert deployed.client_for_key("local-open311-demo-key") is None
    assert with_local_clients(deployed).client_for_key("local-open311-demo-key") is not None
