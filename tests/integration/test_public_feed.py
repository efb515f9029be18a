"""The public feed over the API handler: no sign-in, published complaints only, identity never shown."""

from __future__ import annotations

import json

import boto3
from channels_harness import photo_with_gps

from conftest import BUCKET, Api


def _published(api: Api, **overrides: object) -> str:
    code = str(api.file(**overrides)["tracking_code"])
    assert api.act("verifier", code, "verify", 1).status == 200
    return code


def test_feed_lists_verified_non_confidential_complaints_without_identity(api: Api) -> None:
    shown = _published(api, text="Lubang besar, hubungi saya Sari Wulandari di 081234567890 ya.")
    secret = _published(api, confidential=True)
    unverified = api.file()["tracking_code"]
    anonymous = _published(api, anonymous=True)

    reply = api("GET", "/v1/public/complaints", who=None)
    assert reply.status == 200
    codes = [item["tracking_code"] for item in reply.body["items"]]
    assert shown in codes and anonymous in codes
    assert secret not in codes and unverified not in codes
    raw = json.dumps(reply.body)
    for leak in ("citizen-1", "Sari", "Wulandari", "081234567890", "reporter"):
        assert leak not in raw
    item = next(i for i in reply.body["items"] if i["tracking_code"] == anonymous)
    assert item["location"] == {"lat": -6.99, "lon": 110.41, "address": None, "area_code": None, "coarsened": True}


def test_feed_filters_by_category_status_and_date(api: Api) -> None:
    road = _published(api)
    trash = _published(api, category_id="sampah")
    by_category = api("GET", "/v1/public/complaints", who=None, query={"category": "sampah"}).body["items"]
    assert [i["tracking_code"] for i in by_category] == [trash]
    api.act("verifier", road, "assign", 2, agency_id="dpu")
    assigned = api("GET", "/v1/public/complaints", who=None, query={"status": "assigned"}).body["items"]
    assert [i["tracking_code"] for i in assigned] == [road]
    old = api("GET", "/v1/public/complaints", who=None, query={"from": "2020-01-01", "to": "2020-01-31"})
    assert old.status == 200 and old.body["items"] == []
    bad = api("GET", "/v1/public/complaints", who=None, query={"from": "kemarin"})
    assert bad.status == 422
    paged = api("GET", "/v1/public/complaints", who=None, query={"limit": "1"})
    assert len(paged.body["items"]) == 1 and paged.body["next_cursor"]


def test_public_detail_hides_unverified_text_and_confidential_complaints(api: Api) -> None:
    unverified = api.file()["tracking_code"]
    detail = api("GET", f"/v1/public/complaints/{unverified}", who=None)
    assert detail.status == 200 and detail.body["text"] is None and detail.body["status"] == "received"
    secret = api.file(confidential=True)["tracking_code"]
    assert api("GET", f"/v1/public/complaints/{secret}", who=None).status == 404
    assert api("GET", "/v1/public/complaints/ADU-0000-00", who=None).status == 404


def test_photos_are_public_only_when_an_officer_says_so(api: Api) -> None:
    code = _published(api)
    upload = api("POST", f"/v1/complaints/{code}/attachments",
                 {"filename": "lubang.jpg", "content_type": "image/jpeg", "size_bytes": 1000})
    photo = upload.body["attachment_id"]
    boto3.client("s3").put_object(Bucket=BUCKET, Key=upload.body["fields"]["key"], Body=photo_with_gps())
    assert api("GET", f"/v1/public/complaints/{code}", who=None).body["photos"] == []
    path = f"/v1/complaints/{code}/attachments/{photo}/visibility"
    assert api("POST", path, {"public": True}, who="dpu").status == 403
    assert api("POST", path, {"public": True}, who="verifier").status == 200
    photos = api("GET", f"/v1/public/complaints/{code}", who=None).body["photos"]
    assert [p["id"] for p in photos] == [photo] and photos[0]["url"].startswith("https://")
    assert ".clean?" in photos[0]["url"]  # the public only ever gets the copy without EXIF/GPS
    assert api("POST", f"/v1/complaints/{code}/attachments/NOPE/visibility", {"public": True},
               who="verifier").status == 404


def test_after_local_midnight_the_feed_still_shows_today(api: Api) -> None:
    """00:30 WIB is 17:30 UTC the day before: the default period ends at the end of the city's today,
    not UTC's (the feed was empty of new complaints every night from 00:00 to 07:00 WIB)."""
    from datetime import UTC, datetime

    from aduan.logic import clock

    clock.set_clock(lambda: datetime(2026, 12, 3, 17, 30, tzinfo=UTC))
    try:
        code = _published(api)
        codes = [item["tracking_code"] for item in api("GET", "/v1/public/complaints", who=None).body["items"]]
    finally:
        clock.set_clock(None)
    assert code in codes
