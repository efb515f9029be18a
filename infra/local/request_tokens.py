"""DynamoDB's idempotent TransactWriteItems, which moto ignores: the ClientRequestToken.

botocore fills the token in for every TransactWriteItems (the model marks it `idempotencyToken`) and sends
the same one again when it retries. DynamoDB answers a repeat of a transaction that succeeded, within ten
minutes, with success and no second write; the same token with other parameters is refused
(IdempotentParameterMismatchException). moto applies the repeat as a new transaction, so a retry after a
lost answer (a read timeout once the write was done) met its own first attempt: "condition failed", and
the caller, say a complaint being filed, failed although its write had gone through. This middleware
gives local mode DynamoDB's behaviour. It must run inside the DynamoDB lock (check and write as one).
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from collections import OrderedDict
from typing import Any

TARGET = "DynamoDB_20120810.TransactWriteItems"
WINDOW_SECONDS = 600.0
_MISMATCH = "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException"


class TransactionTokens:
    def __init__(self, window: float = WINDOW_SECONDS) -> None:
        self._window = window
        self._done: OrderedDict[str, tuple[float, str]] = OrderedDict()  # token -> (when, request digest)
        self._lock = threading.Lock()
        self.repeats = 0  # repeats answered without writing (for tests and figures)

    def wrap(self, app: Any) -> Any:
        def tokens(environ: dict[str, Any], start_response: Any) -> Any:
            if environ.get("HTTP_X_AMZ_TARGET") != TARGET:
                return app(environ, start_response)
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            try:
                request = json.loads(body)
            except ValueError:
                return app(environ, start_response)
            token = request.pop("ClientRequestToken", None) if isinstance(request, dict) else None
            if not token:
                return app(environ, start_response)
            digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
            seen = self._seen(token)
            if seen is not None:
                if seen != digest:
                    return _answer(start_response, "400 Bad Request", {"__type": _MISMATCH, "message":
                                   "The request uses the same client token as a previous, but non-identical request."})
                self.repeats += 1
                return _answer(start_response, "200 OK", {})
            status: list[str] = []

            def noting(code: str, headers: Any, *rest: Any) -> Any:
                status.append(code)
                return start_response(code, headers, *rest)

            answer = list(app(environ, noting))
            if status and status[0].startswith("200"):
                with self._lock:
                    self._done[token] = (time.monotonic(), digest)
            return answer

        return tokens

    def _seen(self, token: str) -> str | None:
        with self._lock:
            horizon = time.monotonic() - self._window
            while self._done and next(iter(self._done.values()))[0] < horizon:
                self._done.popitem(last=False)  # oldest first: tokens are kept in the order they were used
            found = self._done.get(token)
            return found[1] if found else None


def _answer(start_response: Any, status: str, document: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(document).encode()
    start_response(status, [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(payload)))])
    return [payload]
