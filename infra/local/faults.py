"""Local mode's AWS fault injector: throttling, 5xx, timeouts and crashes, at random, seeded.

Switched on only by local configuration (`LocalStack(faults=FaultPlan(...))`, `python -m infra.local
--faults rate=0.1,seed=7,crash=0.3` or `LOCAL_FAULTS`); deployed code never imports this module.

A botocore `before-send` hook on every client (`BUILTIN_HANDLERS`, so sessions created later get it too)
decides for each HTTP attempt of a DynamoDB, SQS, EventBridge or S3 call made by Lambda code (the runtime
says which function is running on this thread; local mode's own pollers and tools are never faulted):

- `throttle`: the service's throttling error (ProvisionedThroughputExceeded, ThrottlingException, SlowDown);
- `server_error`: a 500/503 in the service's own error format;
- `connect_timeout`: botocore's ConnectTimeoutError, the request never left;
- `read_timeout`: the request is sent and applied, then botocore's ReadTimeoutError: the answer was lost
  (the hardest one: a retried conditional write meets its own first attempt).

botocore retries these as it does in AWS (the product's clients: standard mode, 3 attempts). Besides,
`crash` is the chance that an invocation of a crashing function (the event relay by default) dies around
one of its PutEvents calls, before it is sent or after it was published: the runtime turns that into a
failed invocation (`InvocationCrash`), as when a Lambda environment is killed, and the event source retries.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from botocore.httpsession import URLLib3Session

from infra.local.runtime import InvocationCrash, current_function

KINDS = ("throttle", "server_error", "connect_timeout", "read_timeout")
SERVICES = frozenset({"dynamodb", "sqs", "eventbridge", "s3"})
# (status, error code) per service and kind, as each service answers (its protocol decides the body).
_ERRORS: dict[str, dict[str, list[tuple[int, str]]]] = {
    "dynamodb": {"throttle": [(400, "ProvisionedThroughputExceededException"), (400, "ThrottlingException")],
                 "server_error": [(500, "InternalServerError"), (503, "ServiceUnavailable")]},
    "sqs": {"throttle": [(400, "ThrottlingException"), (400, "RequestThrottled")],
            "server_error": [(500, "InternalError"), (503, "ServiceUnavailable")]},
    "eventbridge": {"throttle": [(400, "ThrottlingException")],
                    "server_error": [(500, "InternalException"), (503, "ServiceUnavailable")]},
    "s3": {"throttle": [(503, "SlowDown")], "server_error": [(500, "InternalError"), (503, "ServiceUnavailable")]},
}
_JSON_PREFIX = {"dynamodb": "com.amazonaws.dynamodb.v20120810#", "sqs": "com.amazonaws.sqs#"}


@dataclass(frozen=True)
class FaultPlan:
    rate: float = 0.1  # chance that one HTTP attempt of a faulted service fails
    seed: int = 1
    crash: float = 0.0  # chance that a crashing function's invocation dies around one PutEvents call
    services: frozenset[str] = SERVICES
    crashing: frozenset[str] = field(default_factory=lambda: frozenset({"EventRelayFunction"}))

    @classmethod
    def parse(cls, text: str) -> FaultPlan:
        """`rate=0.1,seed=7,crash=0.3` (any subset; unknown keys are an error)."""
        values: dict[str, Any] = {}
        for part in filter(None, (piece.strip() for piece in text.split(","))):
            key, _, value = part.partition("=")
            if key in ("rate", "crash"):
                values[key] = float(value)
            elif key == "seed":
                values[key] = int(value)
            else:
                raise ValueError(f"unknown fault setting {key!r} (rate, seed, crash)")
        plan = cls(**values)
        if not (0 <= plan.rate <= 1 and 0 <= plan.crash <= 1):
            raise ValueError("fault rates are between 0 and 1")
        return plan


class ResponseBody:
    """A whole answer, read as botocore reads a socket's (also the in-process answers')."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


def error_response(service: str, url: str, status: int, code: str) -> AWSResponse:
    """The error as the service would have answered it (JSON services: `__type`; S3: an XML Error)."""
    message = f"injected by the local fault injector ({code})"
    if service == "s3":
        body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
        headers = {"Content-Type": "application/xml"}
    else:
        body = json.dumps({"__type": _JSON_PREFIX.get(service, "") + code, "message": message}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0"}
        if service == "sqs":
            headers["x-amzn-query-error"] = f"{code};Sender"
    wire = HTTPHeaders()
    for name, value in headers.items():
        wire[name] = value
    return AWSResponse(url, status, wire, ResponseBody(body))


class FaultInjector:
    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self._random = random.Random(plan.seed)
        self._lock = threading.Lock()
        self._http = URLLib3Session()
        self.calls: Counter[str] = Counter()  # HTTP attempts by Lambda code, per service
        self.faults: Counter[str] = Counter()  # per kind, and per "service:kind"
        self.crashes: Counter[str] = Counter()  # "before"/"after" PutEvents
        self.installed = False

    # ------------------------------------------------------------------ installation
    def _hooks(self) -> list[tuple[str, Any]]:
        return [("before-send", self.before_send), ("after-call.eventbridge.PutEvents", self.after_put_events)]

    def install(self) -> None:
        import boto3

        for event, hook in self._hooks():
            botocore.handlers.BUILTIN_HANDLERS.append((event, hook))
            # sessions that exist already (boto3's default one; the caller resets cached clients)
            if boto3.DEFAULT_SESSION is not None:
                boto3.DEFAULT_SESSION.events.register(event, hook)
        self.installed = True

    def uninstall(self) -> None:
        import boto3

        for event, hook in self._hooks():
            while (event, hook) in botocore.handlers.BUILTIN_HANDLERS:
                botocore.handlers.BUILTIN_HANDLERS.remove((event, hook))
            if boto3.DEFAULT_SESSION is not None:
                boto3.DEFAULT_SESSION.events.unregister(event, hook)
        self.installed = False

    def report(self) -> dict[str, Any]:
        with self._lock:
            return {"plan": {"rate": self.plan.rate, "seed": self.plan.seed, "crash": self.plan.crash},
                    "calls": dict(self.calls), "calls_total": sum(self.calls.values()),
                    "faults": dict(self.faults), "faults_total": sum(self.faults[k] for k in KINDS),
                    "crashes": dict(self.crashes)}

    # ------------------------------------------------------------------ the hooks
    def before_send(self, request: AWSPreparedRequest, event_name: str, **_: Any) -> AWSResponse | None:
        service = event_name.split(".")[1]
        function = current_function()
        if function is None or service not in self.plan.services:
            return None
        operation = event_name.split(".")[2]
        if service == "eventbridge" and operation == "PutEvents" and self._crash_now(function, "before"):
            raise InvocationCrash(f"{function} died before PutEvents (injected)")
        with self._lock:
            self.calls[service] += 1
            if self._random.random() >= self.plan.rate:
                return None
            kind = self._random.choice(KINDS)
            if kind == "read_timeout" and not isinstance(request.body, (bytes, str, type(None))):
                kind = "connect_timeout"  # a streamed body cannot be sent twice
            self.faults[kind] += 1
            self.faults[f"{service}:{kind}"] += 1
            status, code = self._random.choice(_ERRORS[service].get(kind, [(0, "")]))
        if kind == "connect_timeout":
            raise ConnectTimeoutError(endpoint_url=request.url)
        if kind == "read_timeout":
            lost = self._http.send(request)  # applied, then the answer is lost
            lost.content  # noqa: B018 - read to the end, so the connection goes back to the pool
            raise ReadTimeoutError(endpoint_url=request.url)
        return error_response(service, request.url, status, code)

    def after_put_events(self, **_: Any) -> None:
        function = current_function()
        if function is not None and self._crash_now(function, "after"):
            raise InvocationCrash(f"{function} died after PutEvents (injected)")

    def _crash_now(self, function: str, when: str) -> bool:
        if function not in self.plan.crashing or not self.plan.crash:
            return False
        with self._lock:
            # half the chance on each side of the call: `crash` is per PutEvents call in all
            if self._random.random() >= self.plan.crash / 2:
                return False
            self.crashes[when] += 1
        return True
