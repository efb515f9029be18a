"""`Idempotency-Key` on POST /v1/complaints: one complaint however often the app retries."""

from __future__ import annotations

from conftest import Api

BODY = {"title": "Sampah menumpuk", "text": "Sampah di TPS Jl. Majapahit belum diangkut seminggu."}


def test_same_key_same_body_returns_the_same_complaint(api: Api) -> None:
    headers = {"Idempotency-Key": "app-retry-0001"}
    first = api("POST", "/v1/complaints", BODY, headers=headers)
    second = api("POST", "/v1/complaints", BODY, headers=headers)
    assert first.status == second.status == 201
    assert first.body["tracking_code"] == second.body["tracking_code"]
    assert len(api("GET", "/v1/me/complaints").body["items"]) == 1


def test_same_key_different_body_is_refused(api: Api) -> None:
    headers = {"Idempotency-Key": "app-retry-0002"}
    assert api("POST", "/v1/complaints", BODY, headers=headers).status == 201
    other = api("POST", "/v1/complaints", {**BODY, "title": "Lain"}, headers=headers)
    assert other.status == 422 and other.body["error"]["code"] == "idempotency_key_reused"
    assert len(api("GET", "/v1/me/complaints").body["items"]) == 1


def test_keys_are_per_caller_and_absent_key_creates_each_time(api: Api) -> None:
    headers = {"Idempotency-Key": "shared-key-0003"}
    mine = api("POST", "/v1/complaints", BODY, headers=headers).body["tracking_code"]
    theirs = api("POST", "/v1/complaints", BODY, who="citizen2", headers=headers).body["tracking_code"]
    assert mine != theirs
    api("POST", "/v1/complaints", BODY)
    assert len(api("GET", "/v1/me/complaints").body["items"]) == 2


def test_too_short_key_is_a_validation_error(api: Api) -> None:
    reply = api("POST", "/v1/complaints", BODY, headers={"Idempotency-Key": "x"})
    assert reply.status == 422


def test_the_record_keeps_only_the_code_and_a_replay_answers_the_complaint(api: Api) -> None:
    """The idempotency record stores what a replay needs (the tracking code, one write unit), not the whole
    view; the replay reads the complaint and answers it as the first call did (or as it is now)."""
    import json

    import boto3

    headers = {"Idempotency-Key": "app-retry-0005"}
    first = api("POST", "/v1/complaints", BODY, headers=headers)
    records = boto3.client("dynamodb").scan(TableName="aduan-idempotency-test")["Items"]
    assert [json.loads(record["data"]["S"]) for record in records] == [{"tracking_code": first.body["tracking_code"]}]
    second = api("POST", "/v1/complaints", BODY, headers=headers)
    assert second.status == 201 and second.body == first.body
    code = first.body["tracking_code"]
    assert api.act("verifier", code, "verify", 1).status == 200
    third = api("POST", "/v1/complaints", BODY, headers=headers)
    assert third.status == 201 and third.body["tracking_code"] == code and third.body["status"] == "verified"
