"""Every endpoint answers a client's mistake with a 4xx in one JSON shape, and writes nothing."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from conftest import TABLES, Api

GOOD = {"title": "Lampu PJU mati", "text": "Lampu jalan mati sejak tiga hari, gelap sekali di malam hari."}


def stored_items() -> int:
    pages = boto3.client("dynamodb").get_paginator("query")
    return sum(page["Count"] for page in pages.paginate(
        TableName=TABLES["TicketsTable"], IndexName="queue_by_urgency",
        KeyConditionExpression="queue_pk = :q", ExpressionAttributeValues={":q": {"S": "DESK#received"}}))


def assert_error(reply: Any, status: int) -> None:
    assert reply.status == status, reply.body
    assert set(reply.body) == {"error"}
    assert set(reply.body["error"]) == {"code", "message", "details"}
    assert isinstance(reply.body["error"]["code"], str) and reply.body["error"]["message"]


@pytest.mark.parametrize(("body", "status"), [
    ({}, 422),
    ({**GOOD, "title": ""}, 422),
    ({**GOOD, "text": "short"}, 422),
    ({**GOOD, "title": "x" * 201}, 422),
    ({**GOOD, "category_id": "no-such-category"}, 422),
    ({**GOOD, "location": {"lat": 100, "lon": 110}}, 422),
    ({**GOOD, "location": {"lat": -6.9}}, 422),
    ({**GOOD, "location": {}}, 422),
    ({**GOOD, "location": {"area_code": "9999999"}}, 422),
    ({**GOOD, "unknown_field": 1}, 422),
    ({**GOOD, "anonymous": "maybe"}, 422),
    ({**GOOD, "channel": "whatsapp"}, 422),
    ([1, 2], 422),
    ("a string", 422),
])
def test_bad_complaints_are_refused(api: Api, body: Any, status: int) -> None:
    assert_error(api("POST", "/v1/complaints", body), status)
    assert stored_items() == 0


def test_malformed_json_is_400(api: Api) -> None:
    assert_error(api("POST", "/v1/complaints", raw_body="{not json"), 400)
    assert stored_items() == 0


@pytest.mark.parametrize("body", [
    {}, {"action": "fly", "expected_version": 1}, {"action": "verify"}, {"action": "verify", "expected_version": 0},
    {"action": "verify", "expected_version": "one"}, {"action": "verify", "expected_version": 1, "x": 1},
])
def test_bad_transitions_are_refused(api: Api, body: dict[str, Any]) -> None:
    code = api.file()["tracking_code"]
    assert_error(api("POST", f"/v1/complaints/{code}/transitions", body, who="verifier"), 422)
    assert api("GET", f"/v1/complaints/{code}").body["version"] == 1


@pytest.mark.parametrize(("method", "path", "body", "who", "status"), [
    ("GET", "/v1/complaints/ADU-0000-00", None, "citizen", 404),
    ("GET", "/v1/complaints/not-a-code", None, "verifier", 404),
    ("GET", "/v1/complaints/" + "A" * 30, None, "verifier", 422),
    ("GET", "/v1/complaints/ADU-0000-00/timeline", None, "verifier", 404),
    ("POST", "/v1/complaints/ADU-0000-00/comments", {"text": "halo"}, "citizen", 404),
    ("POST", "/v1/complaints/ADU-0000-00/rating", {"score": 5}, "citizen", 404),
    ("POST", "/v1/complaints/ADU-0000-00/reopen", {"reason": "masih rusak", "expected_version": 1}, "citizen", 404),
    ("POST", "/v1/complaints/ADU-0000-00/transitions", {"action": "verify", "expected_version": 1}, "verifier",
     404),
    ("GET", "/v1/desk/complaints", None, "verifier", 200),
    ("GET", "/v1/desk/complaints?status=flying", None, "verifier", 422),
    ("GET", "/v1/agencies/nowhere/complaints", None, "supervisor", 404),
    ("GET", "/v1/nothing-here", None, "citizen", 404),
    ("DELETE", "/v1/complaints", None, "citizen", 404),
    ("GET", "/v1/me/complaints", None, None, 401),
    ("POST", "/v1/complaints", GOOD, None, 401),
])
def test_unknowns_and_missing_auth(api: Api, method: str, path: str, body: Any, who: str | None,
                                   status: int) -> None:
    bare, _, query = path.partition("?")
    params = dict(item.split("=") for item in query.split("&")) if query else None
    reply = api(method, bare, body, who, query=params)
    if status == 200:
        assert reply.status == 200
    else:
        assert_error(reply, status)


@pytest.mark.parametrize(("suffix", "body"), [
    ("comments", {}), ("comments", {"text": ""}), ("comments", {"text": "x" * 5001}),
    ("rating", {"score": 0}), ("rating", {"score": 6}), ("rating", {}),
    ("reopen", {"reason": "x"}), ("reopen", {}),
    ("attachments", {"filename": "../../etc/passwd", "content_type": "image/png", "size_bytes": 10}),
    ("attachments", {"filename": "a.png", "content_type": "image/png", "size_bytes": 0}),
    ("attachments", {"filename": "a.png", "content_type": "text/html", "size_bytes": 10}),
])
def test_bad_bodies_on_complaint_subresources(api: Api, suffix: str, body: dict[str, Any]) -> None:
    code = api.file()["tracking_code"]
    assert_error(api("POST", f"/v1/complaints/{code}/{suffix}", body), 422)


def test_bad_cursor_and_limits(api: Api) -> None:
    assert_error(api("GET", "/v1/me/complaints", query={"cursor": "%%%"}), 422)
    assert_error(api("GET", "/v1/me/complaints", query={"cursor": "eyJhIjogMX0="}), 422)
    assert_error(api("GET", "/v1/me/complaints", query={"limit": "0"}), 422)
    assert_error(api("GET", "/v1/me/complaints", query={"limit": "1000"}), 422)


def test_rating_before_resolution_and_reopen_of_open_ticket(api: Api) -> None:
    code = api.file()["tracking_code"]
    assert_error(api("POST", f"/v1/complaints/{code}/rating", {"score": 4}), 409)
    assert_error(api("POST", f"/v1/complaints/{code}/reopen", {"reason": "tidak puas", "expected_version": 1}),
                 409)
