"""Local mode's data across restarts: tables, stream records not yet handled, bucket objects, queued and
in-flight messages, SSM parameters and the local clock's offset, saved under .local-state/.

Snapshots read moto's in-process backends directly (no Scan or list call on any request path): each table
is written under the DynamoDB lock, so a snapshot never holds half a transaction of that table. Object
bodies are files named by their ETag under blobs/, written once and shared by every snapshot; the state
file only names them. Queued messages come back visible (an in-flight one was being handled by a process
that is gone, as after a Lambda timeout) with their receive counts, so redrive limits still hold.
A restore refuses a state naming a table, bucket or queue the running template does not have: its data
would be silently dropped. See docs/local-mode.md.
"""

from __future__ import annotations

import base64
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from infra.local.clock import LocalClock
from infra.local.state_file import StateFile, StateFileError, StateWriter

LOG = logging.getLogger(__name__)
BLOBS = "blobs"
ClientFactory = Callable[[str], Any]


@dataclass
class Resources:
    """What a snapshot covers: the running stack's own resources."""

    account: str
    region: str
    tables: list[str]
    buckets: list[str]
    queues: list[str] = field(default_factory=list)  # queue names (template and local async queues)


@dataclass
class Restored:
    items: int = 0
    stream_records: int = 0
    objects: int = 0
    messages: int = 0
    parameters: int = 0
    clock_offset: timedelta = timedelta(0)


def _dynamodb(resources: Resources) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[resources.account][resources.region]


def _sqs(resources: Resources) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[resources.account][resources.region]


class Snapshotter:
    def __init__(self, file: StateFile, resources: Resources, clients: ClientFactory, clock: LocalClock,
                 dynamodb_lock: Any) -> None:
        self.file = file
        self._resources = resources
        self._clients = clients
        self._clock = clock
        self._lock = dynamodb_lock
        self._objects: dict[tuple[str, str, str], dict[str, Any]] = {}  # (bucket, key, etag) -> its record

    # ------------------------------------------------------------------ saving
    def save(self) -> float:
        """Write a snapshot; the seconds it took."""
        started = time.monotonic()
        writer = self.file.writer({"written_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                                   "account": self._resources.account, "region": self._resources.region,
                                   "clock_offset_seconds": self._clock.offset.total_seconds()})
        try:
            for table in self._resources.tables:
                self._save_table(writer, table)
            for queue in self._resources.queues:
                self._save_queue(writer, queue)
            self._save_objects(writer)
            self._save_parameters(writer)
            writer.commit()
        except BaseException:
            writer.abandon()
            raise
        return time.monotonic() - started

    def _save_table(self, writer: StateWriter, name: str) -> None:
        with self._lock:
            table = _dynamodb(self._resources).tables.get(name)
            if table is None:
                return
            shard = table.stream_shard
            writer.record("table", name=name,
                          stream_start=shard.starting_sequence_number if shard is not None else None)
            for item in table.all_items():
                writer.record("item", table=name, item=item.to_json()["Attributes"])
            for stream_record in shard.items if shard is not None else []:
                saved = dict(stream_record.record)
                dynamodb = dict(saved["dynamodb"])
                created = dynamodb.get("ApproximateCreationDateTime")
                if isinstance(created, datetime):
                    dynamodb["ApproximateCreationDateTime"] = created.isoformat()
                writer.record("stream", table=name, record={**saved, "dynamodb": dynamodb})

    def _save_queue(self, writer: StateWriter, name: str) -> None:
        queue = _sqs(self._resources).queues.get(name)
        if queue is None:
            return
        writer.record("queue", name=name)
        for message in list(queue._messages):
            writer.record("message", queue=name, body=message.body, attributes=message.message_attributes,
                          group_id=message.group_id, deduplication_id=message.deduplication_id,
                          sent_timestamp=message.sent_timestamp, receive_count=message.approximate_receive_count)

    def _save_objects(self, writer: StateWriter) -> None:
        s3 = self._clients("s3")
        blobs = self.file.directory / BLOBS
        for bucket in self._resources.buckets:
            writer.record("bucket", name=bucket)
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for listed in page.get("Contents", []):
                    identity = (bucket, listed["Key"], listed["ETag"])
                    if identity not in self._objects:
                        self._objects[identity] = self._save_blob(s3, blobs, bucket, listed["Key"], listed["ETag"])
                    writer.record("object", **self._objects[identity])

    @staticmethod
    def _save_blob(s3: Any, blobs: Path, bucket: str, key: str, etag: str) -> dict[str, Any]:
        got = s3.get_object(Bucket=bucket, Key=key)
        blob = etag.strip('"') or base64.urlsafe_b64encode(key.encode()).decode()
        path = blobs / blob
        if not path.exists():
            blobs.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{blob}.tmp")
            temporary.write_bytes(got["Body"].read())
            os.replace(temporary, path)
        return {"bucket": bucket, "key": key, "blob": blob, "content_type": got.get("ContentType"),
                "metadata": got.get("Metadata") or {}}

    def _save_parameters(self, writer: StateWriter) -> None:
        ssm = self._clients("ssm")
        names = [p["Name"] for page in ssm.get_paginator("describe_parameters").paginate()
                 for p in page.get("Parameters", [])]
        for start in range(0, len(names), 10):
            found = ssm.get_parameters(Names=names[start:start + 10], WithDecryption=True)
            for parameter in found.get("Parameters", []):
                writer.record("parameter", name=parameter["Name"], type=parameter["Type"], value=parameter["Value"])

    # ------------------------------------------------------------------ loading
    def restore(self) -> Restored:
        """Put a saved state back into the freshly provisioned stack (raises StateFileError when the file
        cannot be loaded, before anything is changed)."""
        header = self.file.validate()
        self._check_compatible(self.file.records())
        restored = Restored(clock_offset=timedelta(seconds=float(header.get("clock_offset_seconds") or 0)))
        loaders: dict[str, Callable[[dict[str, Any]], None]] = {
            "table": self._load_table, "item": self._load_item, "stream": self._load_stream_record,
            "queue": lambda record: None, "message": self._load_message, "bucket": lambda record: None,
            "object": self._load_object, "parameter": self._load_parameter,
        }
        counted = {"item": "items", "stream": "stream_records", "object": "objects", "message": "messages",
                   "parameter": "parameters"}
        with self._lock:
            for record in self.file.records():
                kind = record.get("kind", "")
                loader = loaders.get(kind)
                if loader is None:
                    raise StateFileError(self.file.path, f"unknown record kind {kind!r}")
                loader(record)
                if kind in counted:
                    setattr(restored, counted[kind], getattr(restored, counted[kind]) + 1)
        if restored.clock_offset > timedelta(0):
            self._clock.advance(restored.clock_offset - self._clock.offset)
        return restored

    def _check_compatible(self, records: Iterable[dict[str, Any]]) -> None:
        present = {"table": set(self._resources.tables), "bucket": set(self._resources.buckets),
                   "queue": set(self._resources.queues)}
        for record in records:
            kind = record.get("kind", "")
            if kind in present and record.get("name") not in present[kind]:
                raise StateFileError(self.file.path, f"{kind} {record.get('name')!r} is not part of the running "
                                                     "template: its data would be lost (was the stage, stack "
                                                     "name or template changed?)")

    def _load_table(self, record: dict[str, Any]) -> None:
        table = _dynamodb(self._resources).tables[record["name"]]
        if table.stream_shard is not None:
            table.stream_shard.items = []
            if record.get("stream_start") is not None:
                table.stream_shard.starting_sequence_number = int(record["stream_start"])

    def _load_item(self, record: dict[str, Any]) -> None:
        table = _dynamodb(self._resources).tables[record["table"]]
        shard, table.stream_shard = table.stream_shard, None  # a restored item is not a new write
        try:
            table.put_item(record["item"])
        finally:
            table.stream_shard = shard

    def _load_stream_record(self, record: dict[str, Any]) -> None:
        from moto.dynamodb.models.table import StreamRecord

        table = _dynamodb(self._resources).tables[record["table"]]
        saved = dict(record["record"])
        dynamodb = dict(saved["dynamodb"])
        if isinstance(dynamodb.get("ApproximateCreationDateTime"), str):
            dynamodb["ApproximateCreationDateTime"] = datetime.fromisoformat(dynamodb["ApproximateCreationDateTime"])
        stream_record: Any = StreamRecord.__new__(StreamRecord)
        stream_record.record = {**saved, "dynamodb": dynamodb}
        table.stream_shard.items.append(stream_record)

    def _load_message(self, record: dict[str, Any]) -> None:
        message = _sqs(self._resources).send_message(
            record["queue"], record["body"], message_attributes=record.get("attributes") or {},
            deduplication_id=record.get("deduplication_id"), group_id=record.get("group_id"),
            validate_group_id=False)
        message.approximate_receive_count = int(record.get("receive_count") or 0)
        if record.get("sent_timestamp"):
            message.sent_timestamp = record["sent_timestamp"]

    def _load_object(self, record: dict[str, Any]) -> None:
        path = self.file.directory / BLOBS / record["blob"]
        try:
            body = path.read_bytes()
        except OSError as error:
            raise StateFileError(self.file.path, f"object {record['bucket']}/{record['key']}: {error}") from error
        extra = {"ContentType": record["content_type"]} if record.get("content_type") else {}
        self._clients("s3").put_object(Bucket=record["bucket"], Key=record["key"], Body=body,
                                       Metadata=record.get("metadata") or {}, **extra)

    def _load_parameter(self, record: dict[str, Any]) -> None:
        self._clients("ssm").put_parameter(Name=record["name"], Value=record["value"], Type=record["type"],
                                           Overwrite=True)
