"""The handlers in this process under moto, with the resources built from template.yaml's own properties
and the city config seeded: the same setup as tests/integration/conftest.py, without pytest."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import boto3
from moto import mock_aws

from infra.sam import load_template

REPO = Path(__file__).resolve().parents[2]
# Run from a checkout, the Lambda package is not installed: it lives in functions/.
if importlib.util.find_spec("aduan") is None:
    sys.path.insert(0, str(REPO / "functions"))

REGION: Final = "ap-southeast-3"
TABLES = {"TicketsTable": "aduan-tickets-bench", "IdempotencyTable": "aduan-idempotency-bench"}
BUCKET = "aduan-attachments-bench"
BUS = "aduan-bench"
CLAIMS = {
    "citizen": {"sub": "citizen-1", "cognito:groups": "citizen", "name": "Sari Wulandari"},
    "verifier": {"sub": "verifier-1", "cognito:groups": "verifier"},
    "dpu": {"sub": "officer-dpu", "cognito:groups": "agency_officer", "custom:agency_id": "dpu"},
}
ENVIRONMENT = {
    "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing", "TABLE_NAME": TABLES["TicketsTable"],
    "IDEMPOTENCY_TABLE_NAME": TABLES["IdempotencyTable"], "ATTACHMENTS_BUCKET": BUCKET,
    "EVENT_BUS_NAME": BUS, "POWERTOOLS_SERVICE_NAME": "aduan", "POWERTOOLS_METRICS_NAMESPACE": "Aduan",
    # X-Ray has no daemon here; the cold-import bench measures tracing's cost where it matters.
    "POWERTOOLS_TRACE_DISABLED": "true",
}


def _seed_without_rate_limit() -> None:
    """The city config, but with the abuse guard's limits out of the way: one bench user files hundreds."""
    from aduan.dal.config_store import save_config
    from aduan.models.config import load_config_dir
    from aduan.models.routing_config import AbuseLimits
    from infra.seed import DEFAULT_CITY_DIR

    config = load_config_dir(DEFAULT_CITY_DIR)
    routing = config.routing.model_copy(update={"abuse": AbuseLimits(per_hour=10_000, per_day=100_000)})
    save_config(TABLES["TicketsTable"], config.model_copy(update={"routing": routing}))


def reset_caches() -> None:
    """Forget cached clients and services, so the next request builds them (watched) again."""
    from aduan.dal import clients, config_store
    from aduan.dal.idempotency_store import persistence_layer
    from aduan.handlers.routing import routing_service
    from aduan.routes.context import abuse_guard, desk_service, ticket_service
    from aduan.services import idempotency

    clients.reset()
    config_store.clear_cache()
    persistence_layer.cache_clear()
    idempotency._filer.cache_clear()
    ticket_service.cache_clear()
    desk_service.cache_clear()
    abuse_guard.cache_clear()
    routing_service.cache_clear()


def _create_table(logical_id: str, name: str) -> None:
    """The table as the template declares it, but with its stream off until `enable_stream`: moto copies a
    whole table, stream records included, for every transaction, and that copy would dominate the run."""
    properties = dict(load_template()["Resources"][logical_id]["Properties"])
    spec = {key: properties[key] for key in ("AttributeDefinitions", "KeySchema", "BillingMode",
                                             "GlobalSecondaryIndexes") if key in properties}
    boto3.client("dynamodb").create_table(TableName=name, **spec)


def enable_stream(logical_id: str = "TicketsTable") -> None:
    """Switch on the stream the template declares, so that the writes from now on reach it."""
    specification = load_template()["Resources"][logical_id]["Properties"]["StreamSpecification"]
    boto3.client("dynamodb").update_table(TableName=TABLES[logical_id],
                                          StreamSpecification={"StreamEnabled": True, **specification})


@contextmanager
def aws() -> Iterator[None]:
    """moto with the template's tables, the bucket and the bus, and the city config seeded."""
    saved = {name: os.environ.get(name) for name in [*ENVIRONMENT, "AWS_ENDPOINT_URL"]}
    os.environ.update(ENVIRONMENT)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    try:
        with mock_aws():
            reset_caches()
            for logical_id, name in TABLES.items():
                _create_table(logical_id, name)
            boto3.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
            boto3.client("events").create_event_bus(Name=BUS)

            _seed_without_rate_limit()
            yield
            reset_caches()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Context:
    function_name = "aduan-bench"
    memory_limit_in_mb = 512
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:aduan-bench"
    aws_request_id = "bench-request"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def rest_event(method: str, path: str, body: Any = None, who: str | None = None,
               headers: dict[str, str] | None = None, query: dict[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway REST proxy event, with the claims a Cognito authorizer passes."""
    all_headers = {"Content-Type": "application/json", "Host": "api.example.test", **(headers or {})}
    claims = CLAIMS[who] if who else None
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {key: [value] for key, value in all_headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {key: [value] for key, value in query.items()} if query else None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}", "httpMethod": method, "path": f"/bench{path}", "stage": "bench",
            "requestId": str(uuid.uuid4()), "accountId": "123456789012", "apiId": "benchapi",
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "bench"},
            "authorizer": {"claims": claims} if claims else None,
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def outbox_records() -> list[dict[str, Any]]:
    """The stream records the template's filter passes to the relay: inserts of `EV#` items, as Lambda
    delivers them (JSON, with the stream ARN)."""
    table = boto3.client("dynamodb").describe_table(TableName=TABLES["TicketsTable"])["Table"]
    streams = boto3.client("dynamodbstreams")
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=table["LatestStreamArn"])["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=table["LatestStreamArn"], ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for record in streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]:
            if record["eventName"] == "INSERT" and record["dynamodb"]["Keys"]["sk"]["S"].startswith("EV#"):
                delivered = {**record, "eventSourceARN": table["LatestStreamArn"]}
                records.append(json.loads(json.dumps(delivered, default=str)))
    return records


def relay_batch_size() -> int:
    """BatchSize of the relay's stream event source in template.yaml."""
    function = load_template()["Resources"]["EventRelayFunction"]["Properties"]
    return int(function["Events"]["Outbox"]["Properties"]["BatchSize"])
