"""Local mode end to end: the real template.yaml wired in moto, and a fixture stack that exercises
every trigger local mode runs (routes, stream and SQS event source mappings, rules, schedules)."""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local import LocalStack
from infra.sam import load_template

# one local stack per module: `make test` (--dist loadgroup) keeps its tests on one worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_local_stack_wiring")]
FIXTURE_TEMPLATE = Path(__file__).parent / "fixtures_local" / "template.yaml"


@dataclass
class Http:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> Http:
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Http(response.status, list(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        return Http(error.code, list(error.headers.items()), error.read())


@dataclass
class Calls:
    """Events a handler override received, with waiting."""

    events: list[Any] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def handler(self, response: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
        def handle(event: Any, context: Any) -> Any:
            with self.changed:
                self.events.append(event)
                self.changed.notify_all()
            return response(event)

        return handle

    def wait_for(self, predicate: Callable[[Any], bool], timeout: float = 10.0) -> Any:
        with self.changed:
            found = self.changed.wait_for(lambda: [e for e in self.events if predicate(e)], timeout)
            assert found, f"no matching call within {timeout} s; got {self.events!r}"
            return found[0]


# ---------------------------------------------------------------------------------------- template.yaml


@dataclass
class AduanStack:
    stack: LocalStack
    seeded: list[str]
    api: Calls
    relay: Calls


@pytest.fixture(scope="class")
def aduan() -> Iterator[AduanStack]:
    endpoint_before = os.environ.get("AWS_ENDPOINT_URL")
    seeded: list[str] = []
    api, relay = Calls(), Calls()
    overrides = {
        "ApiFunction": api.handler(lambda event: {"statusCode": 200, "body": json.dumps({"ok": True})}),
        "EventRelayFunction": relay.handler(lambda event: {"batchItemFailures": []}),
    }
    stack = LocalStack(port=0, seed=seeded.append, handler_overrides=overrides)
    with stack:
        yield AduanStack(stack, seeded, api, relay)
    assert os.environ.get("AWS_ENDPOINT_URL") == endpoint_before, "stop() must restore the environment"


class TestTemplateWiring:
    def test_tables_have_the_templates_keys_indexes_stream_and_ttl(self, aduan: AduanStack) -> None:
        declared = load_template()["Resources"]["TicketsTable"]["Properties"]
        dynamodb = boto3.client("dynamodb")
        table = dynamodb.describe_table(TableName="aduan-tickets-local")["Table"]

        assert table["KeySchema"] == declared["KeySchema"]
        indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
        assert set(indexes) == {gsi["IndexName"] for gsi in declared["GlobalSecondaryIndexes"]}
        for gsi in declared["GlobalSecondaryIndexes"]:
            assert indexes[gsi["IndexName"]]["KeySchema"] == gsi["KeySchema"]
            assert (
                indexes[gsi["IndexName"]]["Projection"]["ProjectionType"]
                == gsi["Projection"]["ProjectionType"]
            )
        assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
        assert aduan.stack.physical("TicketsTable")["StreamArn"] == table["LatestStreamArn"]
        ttl = dynamodb.describe_time_to_live(TableName="aduan-tickets-local")["TimeToLiveDescription"]
        assert ttl["AttributeName"] == "expires_at"
        idempotency = dynamodb.describe_table(TableName="aduan-idempotency-local")["Table"]
        assert idempotency["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]

    def test_queue_bus_bucket_and_topic_exist(self, aduan: AduanStack) -> None:
        names = aduan.stack.physical_names
        attributes = boto3.client("sqs").get_queue_attributes(
            QueueUrl=names["EventRelayDLQ"], AttributeNames=["All"]
        )["Attributes"]
        assert attributes["QueueArn"].endswith(":aduan-event-relay-dlq-local")
        assert attributes["MessageRetentionPeriod"] == "1209600"
        assert boto3.client("events").describe_event_bus(Name="aduan-local")["Name"] == names["EventBus"]
        cors = boto3.client("s3").get_bucket_cors(Bucket="aduan-attachments-local-123456789012")["CORSRules"]
        assert cors[0]["AllowedMethods"] == ["POST", "GET"] and cors[0]["MaxAgeSeconds"] == 3600
        assert names["OpsTopic"].endswith(":aduan-ops-local")
        assert "UserPool" not in names  # Cognito is emulated by local tokens, not created

    def test_city_configuration_is_seeded_into_the_tickets_table(self, aduan: AduanStack) -> None:
        assert aduan.seeded == ["aduan-tickets-local"]

    def test_functions_get_the_templates_environment(self, aduan: AduanStack) -> None:
        assert os.environ["TABLE_NAME"] == "aduan-tickets-local"
        assert os.environ["IDEMPOTENCY_TABLE_NAME"] == "aduan-idempotency-local"
        assert os.environ["EVENT_BUS_NAME"] == "aduan-local"
        assert os.environ["ATTACHMENTS_BUCKET"] == "aduan-attachments-local-123456789012"
        assert os.environ["POWERTOOLS_METRICS_NAMESPACE"] == "Aduan"
        assert os.environ["POWERTOOLS_TRACE_DISABLED"] == "true"
        assert os.environ["AWS_ENDPOINT_URL"] == aduan.stack.moto_url

    def test_outbox_mapping_follows_the_template(self, aduan: AduanStack) -> None:
        (mapping,) = [m for m in aduan.stack.mappings if m.function == "EventRelayFunction"]
        assert mapping.function == "EventRelayFunction"
        assert mapping.source_arn == aduan.stack.physical("TicketsTable")["StreamArn"]
        assert mapping.filters == (
            {"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S": [{"prefix": "EV#"}]}},
                                                   "NewImage": {"entity": {"S": ["event"]}}}},
            # A new ticket filed on its own carries its TicketCreated entry inline (docs/data-model.md).
            {"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S": ["#TICKET"]}},
                                                   "NewImage": {"entity": {"S": ["ticket"]}}}},
        )
        assert mapping.report_batch_item_failures and mapping.maximum_retry_attempts == 20
        assert mapping.on_failure_arn == aduan.stack.physical("EventRelayDLQ")["Arn"]

    def test_protected_route_without_a_token_is_401_and_skips_the_handler(self, aduan: AduanStack) -> None:
        url = f"{aduan.stack.api_url}/v1/complaints"
        responses = [
            http("POST", url, {"title": "x"}, {"Content-Type": "application/json"}),
            http("POST", url, {"title": "x"}, {"Authorization": "Bearer not-a-token"}),
            http(
                "POST",
                url,
                {"title": "x"},
                {"Authorization": f"Bearer {aduan.stack.issue_token('citizen')}x"},
            ),
        ]
        for response in responses:
            assert response.status == 401
            assert response.json() == {
                "error": {
                    "code": "unauthorized",
                    "message": "Missing or invalid bearer token",
                    "details": None,
                }
            }
        assert not [event for event in aduan.api.events if event["path"] == "/v1/complaints"]

    def test_open_route_reaches_the_handler_without_claims(self, aduan: AduanStack) -> None:
        response = http("GET", f"{aduan.stack.api_url}/v1/categories?lang=id")
        assert response.status == 200 and response.json() == {"ok": True}
        event = aduan.api.wait_for(lambda e: e["path"] == "/v1/categories")
        assert event["resource"] == "/v1/categories"
        assert event["queryStringParameters"] == {"lang": "id"}
        assert event["requestContext"]["path"] == "/local/v1/categories"
        assert "authorizer" not in event["requestContext"]

    def test_local_token_authorizes_like_the_cognito_authorizer(self, aduan: AduanStack) -> None:
        issued = http("GET", f"{aduan.stack.api_url}/local/token?role=agency_officer&agency_id=dpu&name=Budi")
        assert issued.status == 200
        token, claims = issued.json()["token"], issued.json()["claims"]
        assert claims["cognito:groups"] == "agency_officer" and claims["custom:agency_id"] == "dpu"
        assert all(isinstance(value, str) for value in claims.values())

        bearer = http(
            "GET", f"{aduan.stack.api_url}/v1/complaints/ADU-7", headers={"Authorization": f"Bearer {token}"}
        )
        raw = http("GET", f"{aduan.stack.api_url}/v1/complaints/ADU-8", headers={"Authorization": token})
        assert (bearer.status, raw.status) == (200, 200)
        event = aduan.api.wait_for(lambda e: e["path"] == "/v1/complaints/ADU-7")
        assert event["resource"] == "/{proxy+}"
        assert event["pathParameters"] == {"proxy": "v1/complaints/ADU-7"}
        assert event["requestContext"]["authorizer"]["claims"] == claims

    def test_unknown_role_is_rejected(self, aduan: AduanStack) -> None:
        response = http("GET", f"{aduan.stack.api_url}/local/token?role=mayor")
        assert response.status == 400 and response.json()["error"]["code"] == "validation_error"

    def test_outbox_inserts_reach_the_relay_through_the_stream_filter(self, aduan: AduanStack) -> None:
        dynamodb = boto3.client("dynamodb")
        # META and a delivery log entry come first: were either delivered, it would be seen first.
        for sk, entity in (("META", "ticket"), ("EV#0000", "log"), ("EV#0001", "event")):
            dynamodb.put_item(TableName="aduan-tickets-local",
                              Item={"pk": {"S": "T#1"}, "sk": {"S": sk}, "entity": {"S": entity}})
        event = aduan.relay.wait_for(lambda e: True)
        (record,) = event["Records"]
        assert record["dynamodb"]["Keys"] == {"pk": {"S": "T#1"}, "sk": {"S": "EV#0001"}}
        assert record["eventVersion"] == "1.1" and record["awsRegion"] == "ap-southeast-3"
        assert record["eventSourceARN"] == aduan.stack.physical("TicketsTable")["StreamArn"]
        assert all(
            r["dynamodb"]["Keys"]["sk"]["S"].startswith("EV#")
            for e in aduan.relay.events
            for r in e["Records"]
        )

    def test_health(self, aduan: AduanStack) -> None:
        health = http("GET", f"{aduan.stack.api_url}/local/health").json()
        assert health["status"] == "ok"
        assert {"aduan-api-local", "aduan-event-relay-local"} <= set(health["functions"])
        assert "aduan-event-relay-dlq-local" in health["queues"]


# ---------------------------------------------------------------------------------------- fixture stack


@pytest.fixture(scope="class")
def fixture_stack() -> Iterator[LocalStack]:
    with LocalStack(FIXTURE_TEMPLATE, port=0, seed=False) as stack:
        yield stack


def recorder(stack: LocalStack) -> Any:
    assert stack.runtime is not None
    return stack.runtime.handler_module("ApiFn").RECORDER


class TestFixtureStack:
    def test_routes_dispatch_with_path_parameters_and_claims(self, fixture_stack: LocalStack) -> None:
        api = fixture_stack.api_url
        assert http("GET", f"{api}/open").json()["claims"] is None
        assert http("GET", f"{api}/items/42").status == 401
        token = fixture_stack.issue_token("verifier", sub="v-9")
        item = http("GET", f"{api}/items/42", headers={"Authorization": f"Bearer {token}"})
        body = item.json()
        assert item.status == 200
        assert body["resource"] == "/items/{item_id}" and body["path_parameters"] == {"item_id": "42"}
        assert body["claims"]["sub"] == "v-9" and body["claims"]["cognito:groups"] == "verifier"
        assert body["table"] == "fixture-items-local"
        assert body["function"] == fixture_stack.physical_names["ApiFn"] and body["remaining_ms"] > 0
        assert item.header_values("Set-Cookie") == ["a=1", "b=2"] and item.header_values("X-Single") == [
            "one"
        ]
        deep = http("GET", f"{api}/a/b/c", headers={"Authorization": token}).json()
        assert deep["resource"] == "/{proxy+}" and deep["path_parameters"] == {"proxy": "a/b/c"}

    def test_binary_bodies_errors_and_missing_routes(self, fixture_stack: LocalStack) -> None:
        api, token = fixture_stack.api_url, fixture_stack.issue_token("citizen")
        auth = {"Authorization": f"Bearer {token}"}
        upload = http("POST", f"{api}/binary", b"\x89PNG\x00", {**auth, "Content-Type": "image/png"})
        assert upload.status == 200 and upload.body == b"\x00\xffraw"
        sent = [e for e in recorder(fixture_stack).of("api") if e["path"] == "/binary"][-1]
        assert sent["isBase64Encoded"] is True and sent["body"] == "iVBORwA="
        failed = http("GET", f"{api}/boom", headers=auth)
        assert failed.status == 502 and failed.json()["error"]["message"] == "Internal server error"
        missing = http("GET", f"{api}/", headers=auth)  # /{proxy+} needs at least one segment
        assert missing.status == 404 and missing.json()["error"]["code"] == "not_found"

    def test_stream_filter_partial_failures_and_on_failure_destination(
        self, fixture_stack: LocalStack
    ) -> None:
        rec = recorder(fixture_stack)
        table = fixture_stack.physical_names["Table"]
        dynamodb = boto3.client("dynamodb")
        for sk, fail_times in [("EV#1", 0), ("EV#2", 1), ("META", 0), ("EV#3", 0)]:
            item = {"pk": {"S": "s"}, "sk": {"S": sk}, "fail_times": {"N": str(fail_times)}}
            dynamodb.put_item(TableName=table, Item=item)
        # An UpdateItem that creates the item: moto emits two INSERTs, Lambda would see one.
        dynamodb.update_item(
            TableName=table,
            Key={"pk": {"S": "s"}, "sk": {"S": "EV#4"}},
            UpdateExpression="SET note = :n",
            ExpressionAttributeValues={":n": {"S": "hi"}},
        )
        rec.wait_until(lambda: rec.deliveries["stream:EV#2"] == 2 and rec.deliveries["stream:EV#4"] >= 1)

        assert rec.deliveries["stream:EV#1"] == 1, "records before the failed one are checkpointed"
        assert rec.deliveries["stream:META"] == 0, "FilterCriteria drops non-EV# items"
        ev4 = [r for r in rec.of("stream") if r["dynamodb"]["Keys"]["sk"]["S"] == "EV#4"]
        assert all(r["dynamodb"]["NewImage"].get("note") == {"S": "hi"} for r in ev4)

        poison = {"pk": {"S": "s"}, "sk": {"S": "EV#poison"}, "fail_times": {"N": "99"}}
        dynamodb.put_item(TableName=table, Item=poison)
        messages = boto3.client("sqs").receive_message(
            QueueUrl=fixture_stack.physical_names["StreamFailures"], WaitTimeSeconds=10
        )["Messages"]
        failure = json.loads(messages[0]["Body"])
        assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
        assert failure["DDBStreamBatchInfo"]["batchSize"] == 1
        assert rec.deliveries["stream:EV#poison"] == 3, "the first attempt and MaximumRetryAttempts=2 retries"

    def test_rule_to_queue_to_function_with_partial_failures_and_dlq(self, fixture_stack: LocalStack) -> None:
        rec = recorder(fixture_stack)
        boto3.client("events").put_events(
            Entries=[
                {
                    "EventBusName": fixture_stack.physical_names["Bus"],
                    "Source": "fixture.work",
                    "DetailType": "Work",
                    "Detail": json.dumps({"key": key, "fail_times": fail_times}),
                }
                for key, fail_times in [("w1", 0), ("w2", 1), ("w3", 99)]
            ]
        )
        rec.wait_until(lambda: rec.deliveries["work:w2"] == 2 and rec.deliveries["work:w3"] == 3, timeout=15)
        assert rec.deliveries["work:w1"] == 1
        record = rec.of("work")[0]
        event = json.loads(record["body"])
        assert event["account"] == "123456789012" and event["detail-type"] == "Work"
        assert record["eventSource"] == "aws:sqs" and record["attributes"]["ApproximateReceiveCount"] == "1"
        dead = boto3.client("sqs").receive_message(
            QueueUrl=fixture_stack.physical_names["WorkDLQ"], WaitTimeSeconds=5
        )["Messages"]
        assert json.loads(dead[0]["Body"])["detail"]["key"] == "w3", "maxReceiveCount=3 moves it to the DLQ"

    def test_rule_with_a_function_target_and_the_event_tap(self, fixture_stack: LocalStack) -> None:
        rec = recorder(fixture_stack)
        boto3.client("events").put_events(
            Entries=[
                {
                    "EventBusName": fixture_stack.physical_names["Bus"],
                    "Source": "fixture.notify",
                    "DetailType": "Notice",
                    "Detail": json.dumps({"n": 1}),
                }
            ]
        )
        rec.wait_until(lambda: bool(rec.of("notify")))
        (event,) = rec.of("notify")
        assert event["detail"] == {"n": 1} and event["account"] == "123456789012"
        tapped = fixture_stack.wait_for_event(lambda e: e["detail-type"] == "Notice")
        assert tapped["id"] == event["id"]
        listed = http("GET", f"{fixture_stack.api_url}/local/events").json()["events"]
        assert any(e["id"] == event["id"] for e in listed)

    def test_schedule_fires_a_scheduled_event(self, fixture_stack: LocalStack) -> None:
        (schedule,) = fixture_stack.schedules
        assert schedule.expression == "rate(1 hour)"
        assert fixture_stack.trigger_schedule("TickFnHourly") == [{"ticked": True}]
        over_http = http("POST", f"{fixture_stack.api_url}/local/schedules/TickFnHourly")
        assert over_http.json()["results"] == [{"ticked": True}]
        event = recorder(fixture_stack).of("tick")[0]
        assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
        assert event["resources"] == [schedule.arn] and event["detail"] == {}
