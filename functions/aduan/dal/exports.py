"""Export records (`pk=EXPORT#<id>, sk=#EXPORT`, expiring with the file) and the streaming CSV
upload: rows are encoded into a part buffer that is sent as one S3 multipart part whenever it
reaches `part_bytes`, so memory stays at about one part whatever the number of rows."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterable
from typing import Any

from aduan.dal import codec
from aduan.dal.clients import client

PART_BYTES = 8 * 1024 * 1024  # S3's minimum part is 5 MiB (except the last)
RETENTION_SECONDS = 7 * 86400


def _key(export_id: str) -> dict[str, Any]:
    return codec.to_item({"pk": f"EXPORT#{export_id}", "sk": "#EXPORT"})


class ExportRepository:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def create(self, record: dict[str, Any]) -> None:
        item = {"pk": f"EXPORT#{record['export_id']}", "sk": "#EXPORT", **record,
                "expires_at": int(time.time()) + RETENTION_SECONDS}
        client("dynamodb").put_item(TableName=self.table, Item=codec.to_item(item),
                                    ConditionExpression="attribute_not_exists(pk)")

    def get(self, export_id: str) -> dict[str, Any] | None:
        item = client("dynamodb").get_item(TableName=self.table, Key=_key(export_id), ConsistentRead=True).get("Item")
        return codec.from_item(item) if item else None

    def update(self, export_id: str, **fields: Any) -> None:
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values = {f":f{i}": value for i, value in enumerate(fields.values())}
        removes = [f"#f{i}" for i, value in enumerate(fields.values()) if value is None]
        sets = [f"#f{i} = :f{i}" for i, value in enumerate(fields.values()) if value is not None]
        expression = ("SET " + ", ".join(sets) if sets else "") + (" REMOVE " + ", ".join(removes) if removes else "")
        client("dynamodb").update_item(
            TableName=self.table, Key=_key(export_id), UpdateExpression=expression.strip(),
            ExpressionAttributeNames=names, ExpressionAttributeValues=codec.to_item(values) or None,
            ConditionExpression="attribute_exists(pk)")


def wake_worker(queue_url: str, export_id: str) -> None:
    """Tell the export worker there is a record to produce (the record is durable before this)."""
    client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps({"export_id": export_id}))


def upload_csv(bucket: str, key: str, header: Iterable[str], rows: Iterable[Iterable[Any]],
               part_bytes: int = PART_BYTES) -> tuple[int, int]:
    """`stream_csv` to the stack's S3."""
    return stream_csv(client("s3"), bucket, key, header, rows, part_bytes)


def stream_csv(s3: Any, bucket: str, key: str, header: Iterable[str], rows: Iterable[Iterable[Any]],
               part_bytes: int = PART_BYTES) -> tuple[int, int]:
    """Write header + rows as UTF-8 CSV (with BOM, so spreadsheet apps read Indonesian text right)
    to s3://bucket/key by multipart upload. Returns (rows, bytes)."""
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="text/csv; charset=utf-8")
    upload_id = upload["UploadId"]
    parts: list[dict[str, Any]] = []
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    buffer = bytearray("\ufeff".encode())
    count = total = 0

    def flush(final: bool) -> None:
        nonlocal buffer, total
        if not buffer or (not final and len(buffer) < part_bytes):
            return
        number = len(parts) + 1
        answer = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=bytes(buffer))
        parts.append({"ETag": answer["ETag"], "PartNumber": number})
        total += len(buffer)
        buffer = bytearray()

    try:
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
            count += 1
            if text.tell() > 64 * 1024:
                buffer += text.getvalue().encode()
                text.seek(0)
                text.truncate()
                flush(final=False)
        buffer += text.getvalue().encode()
        flush(final=True)
        s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
    except BaseException:
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise
    return count, total
