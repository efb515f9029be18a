"""Local fault injection: seeded faults in the service's own error format, only on the functions' calls,
retried by botocore as in AWS; a crash fails the invocation as a whole."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.endpoint
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError

from infra.local.faults import FaultInjector, FaultPlan
from infra.local.functions import FunctionSpec
from infra.local.runtime import FunctionError, InvocationCrash, LambdaRuntime, current_function

THROTTLE_OR_5XX = {"ProvisionedThroughputExceededException", "ThrottlingException", "InternalServerError",
                   "ServiceUnavailable", "SlowDown", "InternalError", "InternalException", "RequestThrottled"}


def runtime(handler: Any, logical_id: str = "Worker") -> LambdaRuntime:
    spec = FunctionSpec(logical_id, f"fn-{logical_id}", f"arn:aws:lambda:ap-southeast-3:1:function:{logical_id}",
                        "mod.handler")
    loaded = LambdaRuntime([spec], "ap-southeast-3", {logical_id: handler})
    loaded.load()
    return loaded


class Responder:
    """A stand-in service on loopback that answers every request with an empty JSON document."""

    def __init__(self) -> None:
        hits = self.hits = [0]

        class Answer(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hits[0] += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def service() -> Iterator[Responder]:
    responder = Responder()
    yield responder
    responder.server.shutdown()
    responder.server.server_close()


def faulted_client(injector: FaultInjector, name: str, url: str, attempts: int = 1) -> Any:
    client = boto3.client(name, region_name="ap-southeast-3", endpoint_url=url,  # type: ignore[call-overload]
                          aws_access_key_id="x", aws_secret_access_key="x",
                          config=Config(retries={"mode": "standard", "total_max_attempts": attempts}))
    client.meta.events.register("before-send", injector.before_send)
    client.meta.events.register("after-call.eventbridge.PutEvents", injector.after_put_events)
    return client


def test_plans_parse_and_refuse_nonsense() -> None:
    assert FaultPlan.parse("rate=0.25, seed=7,crash=0.5") == FaultPlan(rate=0.25, seed=7, crash=0.5)
    assert FaultPlan.parse("") == FaultPlan()
    with pytest.raises(ValueError, match="unknown"):
        FaultPlan.parse("rate=0.1,chaos=1")
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultPlan.parse("rate=2")


def test_every_kind_in_the_services_own_shape_and_only_inside_a_function(service: Responder) -> None:
    injector = FaultInjector(FaultPlan(rate=1.0, seed=3))
    dynamodb = faulted_client(injector, "dynamodb", service.url)
    seen: list[str] = []

    def call(event: Any, context: Any) -> None:
        assert current_function() == "Worker"
        for _ in range(40):
            try:
                dynamodb.get_item(TableName="t", Key={"pk": {"S": "a"}})
            except ClientError as error:
                assert error.response["Error"]["Code"] in THROTTLE_OR_5XX
                seen.append("throttle" if error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
                            else "server_error")
            except ConnectTimeoutError:
                seen.append("connect_timeout")
            except ReadTimeoutError:
                seen.append("read_timeout")

    runtime(call).invoke("Worker", {})
    assert set(seen) == {"throttle", "server_error", "connect_timeout", "read_timeout"} and len(seen) == 40
    report = injector.report()
    assert report["calls"] == {"dynamodb": 40} and report["faults_total"] == 40
    assert service.hits[0] == report["faults"]["read_timeout"] == seen.count("read_timeout")  # sent, then lost
    assert current_function() is None
    assert dynamodb.get_item(TableName="t", Key={"pk": {"S": "a"}}) is not None  # outside a function: no fault
    assert injector.report()["calls_total"] == 40


def test_botocore_retries_injected_faults_like_aws_ones(service: Responder, monkeypatch: pytest.MonkeyPatch) -> None:
    # botocore's backoff is its own (jittered, up to seconds a retry): note each pause instead of taking it.
    pauses: list[float] = []
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=pauses.append))
    injector = FaultInjector(FaultPlan(rate=0.3, seed=5))
    sqs = faulted_client(injector, "sqs", service.url, attempts=10)
    runtime(lambda event, context: [sqs.get_queue_url(QueueName=f"q{n}") for n in range(20)]).invoke("Worker", {})
    report = injector.report()
    assert report["faults_total"] >= 1  # every fault was retried: all 20 calls answered
    assert report["calls"]["sqs"] == 20 + report["faults_total"]
    assert len(pauses) == report["faults_total"] and all(0 <= pause <= 20 for pause in pauses)  # backed off


def test_a_crash_around_put_events_fails_the_whole_invocation(service: Responder) -> None:
    injector = FaultInjector(FaultPlan(rate=0.0, seed=1, crash=1.0, crashing=frozenset({"Relay"})))
    events = faulted_client(injector, "events", service.url)
    caught: list[BaseException] = []

    def relay(event: Any, context: Any) -> None:
        try:
            events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}"}])
        except Exception as error:  # what handler code catches: a crash is not an Exception
            caught.append(error)

    with pytest.raises(FunctionError, match="Runtime exited"):
        runtime(relay, "Relay").invoke("Relay", {})
    assert caught == [] and sum(injector.report()["crashes"].values()) == 1
    assert issubclass(InvocationCrash, BaseException) and not issubclass(InvocationCrash, Exception)
    runtime(relay, "Other").invoke("Other", {})  # only the crashing functions crash
    assert caught == [] and service.hits[0] >= 1


def test_a_repeated_transaction_token_is_answered_without_a_second_write() -> None:
    """DynamoDB's ClientRequestToken, which moto ignores: botocore resends the same token when it retries."""
    import io
    import json

    from infra.local.request_tokens import TARGET, TransactionTokens

    applied: list[bytes] = []

    def moto(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        applied.append(environ["wsgi.input"].read())
        start_response("200 OK", [])
        return [b"{}"]

    app = TransactionTokens().wrap(moto)

    def send(document: dict[str, Any], target: str = TARGET) -> str:
        body = json.dumps(document).encode()
        answered: list[str] = []
        app({"HTTP_X_AMZ_TARGET": target, "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)},
            lambda status, headers, *rest: answered.append(status))
        return answered[0]

    items = {"TransactItems": [{"Put": {"TableName": "t", "Item": {"pk": {"S": "a"}}}}]}
    assert send({**items, "ClientRequestToken": "tok-1"}) == "200 OK"
    assert send({**items, "ClientRequestToken": "tok-1"}) == "200 OK"  # the retry: answered, not applied
    assert len(applied) == 1 and json.loads(applied[0])["ClientRequestToken"] == "tok-1"  # moto got it whole
    assert send({"TransactItems": [], "ClientRequestToken": "tok-1"}).startswith("400")  # other parameters
    assert send({**items, "ClientRequestToken": "tok-2"}) == "200 OK" and len(applied) == 2
    assert send(items) == "200 OK" and send(items, "DynamoDB_20120810.PutItem") == "200 OK" and len(applied) == 4
