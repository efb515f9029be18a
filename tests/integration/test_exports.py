"""CSV exports: 202 + id, the worker streams to S3, the link; public rules for the non-entitled."""

from __future__ import annotations

import csv
import io

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import BUCKET, REGION, Api, Context

EXPORTS = "aduan-exports-test"


@pytest.fixture
def exporting(api: Api, monkeypatch: pytest.MonkeyPatch) -> str:
    boto3.client("s3").create_bucket(Bucket=EXPORTS, CreateBucketConfiguration={"LocationConstraint": REGION})
    url = boto3.client("sqs").create_queue(QueueName="aduan-export-test")["QueueUrl"]
    monkeypatch.setenv("EXPORTS_BUCKET", EXPORTS)
    monkeypatch.setenv("EXPORT_QUEUE_URL", url)
    return url


def work(queue_url: str) -> None:
    """Deliver the queued requests to ExportFunction as Lambda's SQS poller would."""
    from aduan.handlers.exports import handler

    messages = boto3.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    assert messages
    records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                "attributes": {}, "messageAttributes": {}, "md5OfBody": m["MD5OfBody"], "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:x:1:aduan-export-test", "awsRegion": REGION} for m in messages]
    assert handler({"Records": records}, Context())["batchItemFailures"] == []  # type: ignore[arg-type]


def fetch(api: Api, who: str, export_id: str) -> list[dict[str, str]]:
    reply = api("GET", f"/v1/exports/{export_id}", who=who)
    assert reply.status == 200 and reply.body["status"] == "done", reply.body
    assert reply.body["download_url"].startswith("https://")
    from aduan.dal.exports import ExportRepository

    key = ExportRepository("aduan-tickets-test").get(export_id)["key"]  # type: ignore[index]
    assert key in reply.body["download_url"]
    body = boto3.client("s3").get_object(Bucket=EXPORTS, Key=key)["Body"].read().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert reply.body["rows"] == len(rows)
    return rows


def test_complaint_export_for_a_supervisor_and_for_an_agency(api: Api, exporting: str) -> None:
    plain = api.file()["tracking_code"]
    anonymous = api.file(anonymous=True, text="Sari Wulandari melapor, telepon 081234567890 tolong.")["tracking_code"]
    secret = api.file(confidential=True)["tracking_code"]
    for code in (plain, anonymous, secret):
        api.act("verifier", code, "verify", 1)
        api.act("verifier", code, "assign", 2, agency_id="dpu")
    other = api.file()["tracking_code"]
    today = api("GET", f"/v1/complaints/{plain}").body["created_at"][:10]
    period = {"kind": "complaints", "from": today, "to": today}

    assert api("POST", "/v1/exports", period, who="citizen").status == 403
    assert api("POST", "/v1/exports", {**period, "from": "2026-12-31"}, who="supervisor").status == 422
    asked = api("POST", "/v1/exports", period, who="supervisor")
    assert asked.status == 202 and asked.body["status"] == "pending"
    assert api("GET", f"/v1/exports/{asked.body['export_id']}", who="dpu").status == 404  # not theirs
    work(exporting)
    rows = {row["tracking_code"]: row for row in fetch(api, "supervisor", asked.body["export_id"])}
    assert set(rows) == {plain, anonymous, secret, other}
    assert rows[plain]["reporter_name"] == "Sari Wulandari"  # entitled: everything

    mine = api("POST", "/v1/exports", period, who="dpu")
    work(exporting)
    rows = {row["tracking_code"]: row for row in fetch(api, "dpu", mine.body["export_id"])}
    assert set(rows) == {plain, anonymous, secret}  # only the agency's own
    assert all(row["reporter_name"] == "" and row["reporter_contact"] == "" for row in rows.values())
    assert rows[secret]["text"] == "[rahasia / confidential]" and rows[secret]["lat"] == ""
    assert "Sari" not in rows[anonymous]["text"] and "081234567890" not in rows[anonymous]["text"]
    assert rows[anonymous]["lat"] == "-6.99" and rows[anonymous]["address"] == ""


def test_statistics_export(api: Api, exporting: str) -> None:
    from aduan.dal.tickets import TicketRepository
    from aduan.wiring import stats_service

    code = api.file()["tracking_code"]
    api.act("verifier", code, "verify", 1)
    for event in TicketRepository("aduan-tickets-test").events(code):
        stats_service().record(event)
    today = api("GET", f"/v1/complaints/{code}").body["created_at"][:10]
    asked = api("POST", "/v1/exports", {"kind": "statistics", "from": today, "to": today, "group_by": "category"},
                who="supervisor")
    work(exporting)
    rows = fetch(api, "supervisor", asked.body["export_id"])
    assert rows == [{**rows[0], "day": today, "group_by": "category", "key": "jalan-rusak", "received": "1",
                     "verified": "1"}]


def test_a_failed_export_says_why_and_is_retried(api: Api, exporting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from aduan.wiring import export_service

    asked = api("POST", "/v1/exports", {"kind": "complaints", "from": "2026-01-01", "to": "2026-01-31"},
                who="supervisor").body
    monkeypatch.setenv("EXPORTS_BUCKET", "no-such-bucket")
    with pytest.raises(ClientError):
        export_service().run(asked["export_id"])
    failed = api("GET", f"/v1/exports/{asked['export_id']}", who="supervisor").body
    assert failed["status"] == "failed" and failed["error"]
    monkeypatch.setenv("EXPORTS_BUCKET", EXPORTS)
    export_service().run(asked["export_id"])
    assert api("GET", f"/v1/exports/{asked['export_id']}", who="supervisor").body["status"] == "done"
    assert not boto3.client("s3").list_objects_v2(Bucket=BUCKET).get("Contents")  # attachments untouched
