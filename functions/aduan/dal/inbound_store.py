"""Raw webhook payloads in S3, for audit and replay (`raw/…`), and the ones we could not
understand, kept for inspection (`rejected/…`). Keys are content-addressed, so a redelivered payload
overwrites its own object instead of piling up copies."""

from __future__ import annotations

import hashlib
from datetime import datetime

from aduan.dal.clients import client


def raw_key(channel: str, body: bytes, received_at: datetime, folder: str = "raw") -> str:
    digest = hashlib.sha256(body).hexdigest()
    return f"{folder}/{channel}/{received_at:%Y/%m/%d}/{digest}"


def put(bucket: str, key: str, body: bytes, content_type: str | None, metadata: dict[str, str]) -> None:
    client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type or "application/octet-stream",
                            Metadata=metadata)


def get(bucket: str, key: str) -> bytes:
    data: bytes = client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return data
