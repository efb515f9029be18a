"""The embedded AWS: moto in server mode on loopback.

moto keeps its state in module globals, so one server per process: the state is reset when the
server starts and when it stops (tests may start several stacks one after another). A later
server in the same process takes the previous one's port when it can: Lambda code that cached a
boto3 client (endpoint included) keeps working against the new server.
"""

from __future__ import annotations

import functools
import logging
import socket
import threading
import urllib.request
from typing import Any

from infra.local.errors import LocalStackError

_previous_port = 0


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the HTTP server will
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _serialise_dynamodb_writes() -> None:
    """Two fixes to moto's DynamoDB for a multi-threaded local mode (API and workers run in threads):
    writes take turns under one lock; and a failed TransactWriteItems is rolled back in place. moto
    rolls back by swapping in a copy of the whole table taken before, which erases what other threads
    wrote meanwhile and detaches the table's stream (nothing written later would reach the relay)."""
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend, "_writes_serialised", False):
        return
    lock = threading.RLock()  # re-entrant: a transaction calls put_item/update_item itself

    def locked(original: Any) -> Any:
        @functools.wraps(original)
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            with lock:
                return original(self, *args, **kwargs)
        return call

    def rolled_back_in_place(original: Any) -> Any:
        @functools.wraps(original)
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            with lock:
                live = dict(self.tables)
                streamed = {name: len(table.stream_shard.items) for name, table in live.items()
                            if table.stream_shard is not None}
                try:
                    return original(self, *args, **kwargs)
                except Exception:
                    for name, table in live.items():
                        snapshot = self.tables.get(name)
                        if snapshot is not None and snapshot is not table:
                            table.items = snapshot.items
                            if name in streamed:  # records of the writes that were just undone
                                del table.stream_shard.items[streamed[name]:]
                            self.tables[name] = table
                    raise
        return call

    for name in ("put_item", "update_item", "delete_item"):
        setattr(DynamoDBBackend, name, locked(getattr(DynamoDBBackend, name)))
    DynamoDBBackend.transact_write_items = rolled_back_in_place(  # type: ignore[method-assign]
        DynamoDBBackend.transact_write_items)
    DynamoDBBackend._writes_serialised = True  # type: ignore[attr-defined]


class MotoServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server: object | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        from moto.server import ThreadedMotoServer  # heavy import, only when local mode runs

        _serialise_dynamodb_writes()

        # werkzeug logs every request at INFO; local mode's own log says what matters.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        global _previous_port
        if self.port and not _port_is_free(self.host, self.port):
            raise LocalStackError(f"cannot start moto on {self.host}:{self.port}: the port is in use")
        if not self.port and _previous_port and _port_is_free(self.host, _previous_port):
            self.port = _previous_port
        server = ThreadedMotoServer(ip_address=self.host, port=self.port, verbose=False)
        # start() waits, without a timeout, for a bind that happens in another thread: should the
        # port be taken after the check above, wait here with a timeout instead of forever.
        starter = threading.Thread(target=server.start, name="local-moto-start", daemon=True)
        starter.start()
        starter.join(timeout=15)
        if starter.is_alive():
            raise LocalStackError(f"moto did not start on {self.host}:{self.port}")
        self._server = server
        self.port = _previous_port = server.get_host_and_port()[1]
        self.reset()

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def stop(self) -> None:
        from moto.server import ThreadedMotoServer

        server = self._server
        if not isinstance(server, ThreadedMotoServer):
            return
        self._server = None
        try:
            self.reset()  # free the memory: moto's backends outlive the server
        finally:
            server.stop()
            # shutdown() stops serving but leaves the listening socket open.
            inner = getattr(server, "_server", None)
            if inner is not None:
                inner.server_close()
