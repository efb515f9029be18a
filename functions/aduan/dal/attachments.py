"""Attachment uploads: presigned S3 POSTs whose policy enforces the type and the size."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from aduan.dal.clients import client

UPLOAD_SECONDS = 900


def presigned_upload(bucket: str, key: str, content_type: str, max_bytes: int) -> dict[str, Any]:
    """A form the app posts the file with; S3 itself refuses another type or a bigger file."""
    post: dict[str, Any] = client("s3").generate_presigned_post(
        Bucket=bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            {"Content-Type": content_type},
            ["content-length-range", 1, max_bytes],
        ],
        ExpiresIn=UPLOAD_SECONDS,
    )
    return post


def presigned_download(bucket: str, key: str, seconds: int = 300) -> str:
    url: str = client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=seconds
    )
    return url


def put_bytes(bucket: str, key: str, data: bytes, content_type: str) -> None:
    """Store a file we fetched ourselves (e.g. a channel's media), private like every attachment."""
    client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)


def get_bytes(bucket: str, key: str, max_bytes: int) -> bytes | None:
    """The stored file (at most `max_bytes` + 1 bytes, so an oversized one is seen as such); None if absent."""
    try:
        found = client("s3").get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{max_bytes}")
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code == "InvalidRange":
            return b""  # an empty object has no byte 0
        if code in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    data: bytes = found["Body"].read()
    return data


def exists(bucket: str, key: str) -> bool:
    try:
        client("s3").head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def destroy(bucket: str, key: str) -> int:
    """Delete every version of a key (the bucket is versioned: a plain delete would keep the original as a
    noncurrent version for 30 days). Returns how many versions went."""
    s3 = client("s3")
    found = s3.list_object_versions(Bucket=bucket, Prefix=key)
    doomed = [{"Key": item["Key"], "VersionId": item["VersionId"]}
              for group in ("Versions", "DeleteMarkers") for item in found.get(group, []) if item["Key"] == key]
    if doomed:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
    return len(doomed)
