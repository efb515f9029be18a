"""Private media through the API: the uploader may fetch their original; the desk, the agency and the
public only get a copy re-encoded without EXIF/GPS; for anonymous complaints the original is destroyed
(every version) and the agency reads the text without phone numbers, e-mails or NIK."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

import boto3
from channels_harness import photo_with_gps

from conftest import BUCKET, Api

PHONE_TEXT = "Lubang besar di depan rumah saya, hubungi 0812-3456-7890 atau sari@mail.id, NIK 3374012345678901."


def upload(api: Api, code: str, data: bytes, content_type: str = "image/jpeg") -> str:
    """Ask for the presigned form, then store the bytes as S3 would on the citizen's POST."""
    reply = api("POST", f"/v1/complaints/{code}/attachments",
                {"filename": "lubang.jpg", "content_type": content_type, "size_bytes": len(data)})
    assert reply.status == 201, reply.body
    key = str(reply.body["fields"]["key"])
    boto3.client("s3").put_object(Bucket=BUCKET, Key=key, Body=data, ContentType=content_type)
    return key


def linked_key(api: Api, code: str, who: str) -> str:
    reply = api("GET", f"/v1/complaints/{code}", who=who)
    assert reply.status == 200, reply.body
    [attachment] = reply.body["attachments"]
    return urlsplit(attachment["download_url"]).path.lstrip("/").removeprefix(f"{BUCKET}/")


def body(key: str) -> bytes:
    return bytes(boto3.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read())


def versions(key: str) -> list[Any]:
    found = boto3.client("s3").list_object_versions(Bucket=BUCKET, Prefix=key)
    return [item for item in found.get("Versions", []) if item["Key"] == key]


def assigned(api: Api, **fields: Any) -> str:
    code = str(api.file(**fields)["tracking_code"])
    assert api.act("verifier", code, "verify", 1).status == 200
    assert api.act("verifier", code, "assign", 2, agency_id="dpu").status == 200
    return code


def test_the_uploader_fetches_the_original_everyone_else_a_copy_without_gps(api: Api) -> None:
    from PIL import Image

    code = assigned(api)
    original = photo_with_gps()
    key = upload(api, code, original)
    assert linked_key(api, code, "citizen") == key  # the uploader: their own file
    for who in ("verifier", "dpu"):
        clean = linked_key(api, code, who)
        assert clean == key + ".clean"
        data = body(clean)
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (64, 48) and not image.getexif()
        assert b"samsung" not in data and b"samsung" in original
    assert body(key) == original  # not anonymous: the original stays for its uploader
    assert len(versions(key + ".clean")) == 1  # made once, however often it is read


def test_an_anonymous_complaints_original_is_destroyed_and_its_text_masked_for_the_agency(api: Api) -> None:
    code = assigned(api, anonymous=True, text=PHONE_TEXT)
    key = upload(api, code, photo_with_gps())
    assert linked_key(api, code, "dpu") == key + ".clean"
    assert versions(key) == []  # every version of the original is gone
    assert linked_key(api, code, "citizen") == key + ".clean"  # the uploader gets the safe copy too
    agency = api("GET", f"/v1/complaints/{code}", who="dpu").body
    assert "0812" not in agency["text"] and "sari@mail.id" not in agency["text"]
    assert "3374012345678901" not in agency["text"] and "[disamarkan]" in agency["text"]
    assert api("GET", f"/v1/complaints/{code}", who="verifier").body["text"] == PHONE_TEXT  # the desk sees them


def test_a_file_that_is_not_what_it_claims_is_never_linked(api: Api) -> None:
    code = assigned(api)
    upload(api, code, b"MZ\x90\x00 this is an executable", "application/pdf")
    [attachment] = api("GET", f"/v1/complaints/{code}", who="dpu").body["attachments"]
    assert attachment["download_url"] is None
