"""Counts every AWS call a process makes, and prices its DynamoDB calls.

Every botocore client created while the recorder is installed is watched, whoever creates it
(`boto3.client`, Powertools' own session, ...), because `botocore.session.Session.create_client` is
where they all end up. Two hooks per call: `before-parameter-build` sees the API parameters (and reads
the items a write will replace), `after-call` sees the answer, including error answers.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.session
from botocore.exceptions import ClientError

from infra.bench.capacity import Cost, Table
from infra.bench.charges import read_charge, remember_old_items, touches, write_charge

READ_PREFIXES = ("Get", "BatchGet", "TransactGet", "Query", "Scan", "List", "Describe", "Head", "Receive")
_PENDING = "bench_pending_call"
_SENT = "bench_sent_at"


def kind_of(operation: str) -> str:
    return "read" if operation.startswith(READ_PREFIXES) else "write"


def _target(params: Mapping[str, Any]) -> str:
    """The table, bucket or bus a call addresses (several, for a transaction)."""
    if "TableName" in params:
        return str(params["TableName"])
    if "TransactItems" in params:
        names = {body["TableName"] for entry in params["TransactItems"] for body in entry.values()}
        return ",".join(sorted(names))
    if "RequestItems" in params:
        return ",".join(sorted(params["RequestItems"]))
    if "Bucket" in params:
        return str(params["Bucket"])
    if "Entries" in params:
        return ",".join(sorted({str(entry.get("EventBusName", "default")) for entry in params["Entries"]}))
    return ""


@dataclass
class Call:
    service: str
    operation: str
    kind: str  # read | write
    target: str
    error: str | None = None
    cost: Cost | None = None  # DynamoDB only
    item_bytes: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Peek:
    """The stored state, read through a client nobody watches (so it is neither counted nor priced)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._tables: dict[str, Table] = {}

    def table(self, name: str) -> Table:
        if name not in self._tables:
            self._tables[name] = Table.from_description(self.client.describe_table(TableName=name)["Table"])
        return self._tables[name]

    def item(self, table: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
        try:
            found = self.client.get_item(TableName=table, Key=dict(key), ConsistentRead=True)
        except ClientError:
            return None
        item = found.get("Item")
        return dict(item) if item else None

    def query_items(self, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The items one page of this Query reads (for a Select COUNT, which returns none)."""
        request = {name: value for name, value in params.items() if name != "Select"}
        return list(self.client.query(**request).get("Items", []))


class Recorder:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        # Seconds spent inside the hooks (pricing reads the stored items): subtracted from latencies.
        self.overhead = 0.0
        # Seconds between sending a request and its parsed answer: moto's work here, AWS's on Lambda.
        self.in_aws = 0.0
        self._original: Any = None
        self._peek: _Peek | None = None

    # ------------------------------------------------------------------ installation
    def install(self) -> None:
        if self._original is not None:
            return
        original = botocore.session.Session.create_client
        recorder = self

        def create_client(session: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:
            return recorder.watch(original(session, *args, **kwargs))

        self._original = original
        botocore.session.Session.create_client = create_client  # type: ignore[method-assign, assignment]

    def uninstall(self) -> None:
        if self._original is not None:
            botocore.session.Session.create_client = self._original  # type: ignore[method-assign]
            self._original = None

    @contextmanager
    def installed(self) -> Iterator[Recorder]:
        self.install()
        try:
            yield self
        finally:
            self.uninstall()

    def watch(self, client: Any) -> Any:
        client.meta.events.register("before-parameter-build", self._before)
        client.meta.events.register("before-call", self._sending)
        client.meta.events.register("after-call", self._after)
        return client

    def take(self) -> list[Call]:
        """The calls recorded since the last take."""
        taken, self.calls = self.calls, []
        return taken

    # ------------------------------------------------------------------ hooks
    def _store(self) -> _Peek:
        if self._peek is None:
            create = self._original or botocore.session.Session.create_client
            self._peek = _Peek(create(botocore.session.get_session(), "dynamodb"))
        return self._peek

    def _before(self, params: Mapping[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        started = time.perf_counter()
        found = []
        if model.service_model.service_name == "dynamodb":
            found = touches(self._store(), model.name, params)
            remember_old_items(self._store(), found)
        context[_PENDING] = (dict(params), found)
        self.overhead += time.perf_counter() - started

    def _sending(self, context: dict[str, Any], **_: Any) -> None:
        context[_SENT] = time.perf_counter()

    def _after(self, http_response: Any, parsed: Mapping[str, Any], model: Any, context: dict[str, Any],
               **_: Any) -> None:
        started = time.perf_counter()
        self.in_aws += started - context.pop(_SENT, started)
        params, found = context.pop(_PENDING, ({}, []))
        service, operation = model.service_model.service_name, model.name
        failed = http_response.status_code >= 300
        call = Call(service, operation, kind_of(operation), _target(params),
                    error=parsed.get("Error", {}).get("Code", "error") if failed else None)
        if service == "dynamodb":
            store = self._store()
            if call.kind == "write":
                charge = write_charge(store, operation, found, failed)
            else:
                charge = read_charge(store, operation, params, parsed)
            call.cost, call.item_bytes, call.notes = charge.cost, charge.item_bytes, charge.notes
        self.calls.append(call)
        self.overhead += time.perf_counter() - started
