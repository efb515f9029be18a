"""Attachment uploads: presigned S3 POSTs whose policy enforces the type and the size."""

from __future__ import annotations

from typing import Any

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
