"""The embedded AWS: moto in server mode on loopback.

moto keeps its state in module globals, so one server per process: the state is reset when the
server starts and when it stops (tests may start several stacks one after another). A later
server in the same process takes the previous one's port when it can: Lambda code that cached a
boto3 client (endpoint included) keeps working against the new server.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import urllib.request
from typing import Any

from infra.local.compiled_answers import install_compiled_answers, uninstall_compiled_answers
from infra.local.errors import LocalStackError
from infra.local.event_paths import install_parsed_paths
from infra.local.in_process import InProcessAws, direct_dispatch
from infra.local.memoised import install_memoised, uninstall_memoised
from infra.local.query_index import install_partition_reads
from infra.local.request_tokens import TransactionTokens
from infra.local.sqs_visibility import install_visibility_notes
from infra.local.transactions import install_undo_journal

_previous_port = 0


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the HTTP server will
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


# moto's DynamoDB (streams included) is not thread-safe: one request at a time, and local mode's own
# direct uses of its backend (stream retention, housekeeping, snapshots) take the same lock.
DYNAMODB_LOCK = threading.RLock()


def serialise_dynamodb(app: Any, lock: Any = DYNAMODB_LOCK) -> Any:
    """One DynamoDB request at a time: moto's tables are plain dicts that a query may be iterating
    while another thread writes, and a transaction's undo journal (transactions.py) must not see
    another request's writes in between. Real DynamoDB isolates requests; this restores that."""

    def locked(environ: dict[str, Any], start_response: Any) -> Any:
        if not str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith("DynamoDB"):
            return app(environ, start_response)
        with lock:
            # Read the whole answer inside the lock: WSGI bodies may be generated lazily.
            return list(app(environ, start_response))

    return locked


def _list_moto_modules_once() -> None:
    """moto's server lists its own package directory (a stat per entry) to route every request, under a
    lock all requests share; the list never changes while the process runs."""
    import moto.backends

    listing = moto.backends.list_of_moto_modules
    if not hasattr(listing, "cache_info"):
        modules = tuple(listing())
        moto.backends.list_of_moto_modules = functools.cache(lambda: modules)


_READS = ("Get", "BatchGet", "Query", "Scan", "Describe", "List", "Receive")


class WriteCounter:
    """Counts requests that may change moto's state, so that an idle stack is not snapshotted again."""

    def __init__(self) -> None:
        self.count = 0

    def wrap(self, app: Any) -> Any:
        def counted(environ: dict[str, Any], start_response: Any) -> Any:
            target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
            action = target.rpartition(".")[2]
            reading = action.startswith(_READS) if target else environ.get("REQUEST_METHOD") in ("GET", "HEAD")
            if not reading:
                self.count += 1  # a lost increment under a race only delays a snapshot to the next write
            return app(environ, start_response)

        return counted


class MotoServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server: object | None = None
        self.writes = WriteCounter()
        self.tokens = TransactionTokens()
        self.in_process: InProcessAws | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        from moto.server import ThreadedMotoServer  # heavy import, only when local mode runs

        install_undo_journal()
        install_partition_reads()
        install_parsed_paths()
        install_visibility_notes()
        install_compiled_answers(check=os.environ.get("LOCAL_CHECK_ANSWERS") == "1")
        install_memoised()
        _list_moto_modules_once()

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
        inner = getattr(server, "_server", None)
        if inner is None:
            raise LocalStackError("moto's server has no WSGI app to wrap (moto version?)")
        moto_app = inner.app
        inner.app = self._chain(moto_app)
        self.port = _previous_port = server.get_host_and_port()[1]
        # This process's boto3 calls to moto skip the socket and moto's Flask front; outside clients keep the
        # server (in_process.py). Both chains share the write counter, the DynamoDB lock and the tokens.
        self.in_process = InProcessAws(self.url, self._chain(direct_dispatch(moto_app)))
        self.in_process.install()
        self.reset()

    def _chain(self, app: Any) -> Any:
        return self.writes.wrap(serialise_dynamodb(self.tokens.wrap(app)))

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
        if self.in_process is not None:
            self.in_process.uninstall()
        uninstall_compiled_answers()  # moto in this process (mock_aws in later tests) answers as shipped again
        uninstall_memoised()
        try:
            self.reset()  # free the memory: moto's backends outlive the server
        finally:
            server.stop()
            # shutdown() stops serving but leaves the listening socket open.
            inner = getattr(server, "_server", None)
            if inner is not None:
                inner.server_close()
