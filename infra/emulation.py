"""What tests and benchmarks share to run the Lambda handlers in-process under moto: the template's
tables, API Gateway REST proxy events with Cognito claims, a Lambda context, the relay's stream records."""

from __future__ import annotations

import json
import uuid
from typing import Any, Final

import boto3

from infra.sam import load_template

REGION: Final = "ap-southeast-3"
ACCOUNT = "123456789012"


def credentials() -> dict[str, str]:
    """moto's fake credentials and the region, for tests that run moto in-process without a stack."""
    return {"AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def environment(tables: dict[str, str], bucket: str, bus: str) -> dict[str, str]:
    """The variables the handlers read, naming these resources, with moto's fake credentials."""
    return {
        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing", "TABLE_NAME": tables["TicketsTable"],
        "IDEMPOTENCY_TABLE_NAME": tables["IdempotencyTable"], "ATTACHMENTS_BUCKET": bucket,
        "EVENT_BUS_NAME": bus, "POWERTOOLS_SERVICE_NAME": "aduan", "POWERTOOLS_METRICS_NAMESPACE": "Aduan",
        # X-Ray has no daemon here; the cold-import bench measures tracing's cost where it matters.
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


def provision(tables: dict[str, str], bucket: str, bus: str, stream: bool = True) -> None:
    """The template's tables (`{logical id: name}`), the attachments bucket and the event bus."""
    for logical_id, name in tables.items():
        create_table(logical_id, name, stream)
    boto3.client("s3").create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    boto3.client("events").create_event_bus(Name=bus)


def create_table(logical_id: str, name: str, stream: bool = True) -> None:
    """The table as template.yaml declares it (keys, indexes and, when `stream`, its stream)."""
    properties = dict(load_template()["Resources"][logical_id]["Properties"])
    spec = {key: properties[key] for key in ("AttributeDefinitions", "KeySchema", "BillingMode",
                                             "GlobalSecondaryIndexes") if key in properties}
    if stream and "StreamSpecification" in properties:
        spec["StreamSpecification"] = {"StreamEnabled": True, **properties["StreamSpecification"]}
    boto3.client("dynamodb").create_table(TableName=name, **spec)


class Context:
    """The parts of a Lambda context that Powertools reads."""

    memory_limit_in_mb = 512
    aws_request_id = "local-request"

    def __init__(self, function_name: str = "aduan-api-test") -> None:
        self.function_name = function_name
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def rest_event(method: str, path: str, body: Any = None, claims: dict[str, str] | None = None,
               headers: dict[str, str] | None = None, query: dict[str, str] | None = None,
               raw_body: str | None = None, stage: str = "test") -> dict[str, Any]:
    """An API Gateway REST proxy event, with the claims a Cognito authorizer passes."""
    all_headers = {"Content-Type": "application/json", "Host": "api.example.test", **(headers or {})}
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
            "resourcePath": "/{proxy+}", "httpMethod": method, "path": f"/{stage}{path}", "stage": stage,
            "requestId": str(uuid.uuid4()), "accountId": ACCOUNT, "apiId": f"{stage}api",
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "aduan-tests"},
            "authorizer": {"claims": claims} if claims else None,
        },
        "body": raw_body if raw_body is not None else (json.dumps(body) if body is not None else None),
        "isBase64Encoded": False,
    }


def outbox_records(table_name: str) -> list[dict[str, Any]]:
    """The stream records the template's filter passes to the relay: inserts of `EV#` items that are domain
    events (`entity` "event", not a delivery log entry) and of ticket heads (a new ticket carries its
    `TicketCreated` entry inline), as Lambda delivers them (JSON, with the stream ARN)."""
    table = boto3.client("dynamodb").describe_table(TableName=table_name)["Table"]
    streams = boto3.client("dynamodbstreams")
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=table["LatestStreamArn"])["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=table["LatestStreamArn"], ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for record in streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]:
            change = record["dynamodb"]
            sort_key, entity = change["Keys"]["sk"]["S"], change.get("NewImage", {}).get("entity", {}).get("S")
            if record["eventName"] == "INSERT" and ((sort_key.startswith("EV#") and entity == "event")
                                                   or (sort_key == "#TICKET" and entity == "ticket")):
                delivered = {**record, "eventSourceARN": table["LatestStreamArn"]}
                records.append(json.loads(json.dumps(delivered, default=str)))
    return records
