"""Creators for data and messaging resources: DynamoDB tables, S3 buckets, SQS queues, SNS topics
and subscriptions, EventBridge buses. Each maps CloudFormation properties onto the service API."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from infra.local.provision import ProvisionContext
from infra.local.registry import PhysicalResource

_GSI_KEYS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
# CloudFormation queue properties that are SQS attributes under the same name.
_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
)
_TOPIC_ATTRIBUTES = ("DisplayName", "KmsMasterKeyId", "FifoTopic", "ContentBasedDeduplication")


def _props(ctx: ProvisionContext, resource: Mapping[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = ctx.resolver.resolve(resource.get("Properties") or {})
    return props


def _attribute_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


def create_table(ctx: ProvisionContext, logical_id: str, resource: Mapping[str, Any]) -> None:
    props = _props(ctx, resource)
    name = props.get("TableName") or ctx.physical_name(logical_id, 255)
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
    }
    if "ProvisionedThroughput" in props:
        request["ProvisionedThroughput"] = props["ProvisionedThroughput"]
        request["BillingMode"] = props.get("BillingMode", "PROVISIONED")
    else:
        request["BillingMode"] = "PAY_PER_REQUEST"
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if props.get(key):
            request[key] = [{k: v for k, v in index.items() if k in _GSI_KEYS} for index in props[key]]
    stream = props.get("StreamSpecification")
    if stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    dynamodb = ctx.clients("dynamodb")
    table = dynamodb.create_table(**request)["TableDescription"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}
        )
    attributes = {"Arn": table["TableArn"]}
    if table.get("LatestStreamArn"):
        attributes["StreamArn"] = table["LatestStreamArn"]
    ctx.registry.add(PhysicalResource(logical_id, resource["Type"], name, attributes))


def create_bucket(ctx: ProvisionContext, logical_id: str, resource: Mapping[str, Any]) -> None:
    props = _props(ctx, resource)
    name = props.get("BucketName") or ctx.physical_name(logical_id, 63, lower=True)
    s3 = ctx.clients("s3")
    if ctx.region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": ctx.region})
    cors = (props.get("CorsConfiguration") or {}).get("CorsRules")
    if cors:
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [_cors_rule(rule) for rule in cors]})
    if (props.get("VersioningConfiguration") or {}).get("Status"):
        s3.put_bucket_versioning(
            Bucket=name, VersioningConfiguration={"Status": props["VersioningConfiguration"]["Status"]}
        )
    attributes = {
        "Arn": f"arn:aws:s3:::{name}",
        "DomainName": f"{name}.s3.amazonaws.com",
        "RegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
        "WebsiteURL": f"http://{name}.s3-website.{ctx.region}.amazonaws.com",
    }
    ctx.registry.add(PhysicalResource(logical_id, resource["Type"], name, attributes))


def _cors_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    # CloudFormation says MaxAge and ExposedHeaders where the S3 API says MaxAgeSeconds/ExposeHeaders.
    renamed = {"MaxAge": "MaxAgeSeconds", "ExposedHeaders": "ExposeHeaders"}
    return {renamed.get(key, key): value for key, value in rule.items()}


def create_queue(ctx: ProvisionContext, logical_id: str, resource: Mapping[str, Any]) -> None:
    props = _props(ctx, resource)
    fifo = bool(props.get("FifoQueue"))
    name = props.get("QueueName") or ctx.physical_name(logical_id, 75 if fifo else 80) + (
        ".fifo" if fifo else ""
    )
    attributes = {key: _attribute_value(props[key]) for key in _QUEUE_ATTRIBUTES if key in props}
    for key in ("RedrivePolicy", "RedriveAllowPolicy"):
        if key in props:
            attributes[key] = _attribute_value(props[key])
    sqs = ctx.clients("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    ctx.registry.add(
        PhysicalResource(logical_id, resource["Type"], url, {"Arn": arn, "QueueName": name, "QueueUrl": url})
    )


def create_topic(ctx: ProvisionContext, logical_id: str, resource: Mapping[str, Any]) -> None:
    props = _props(ctx, resource)
    fifo = bool(props.get("FifoTopic"))
    name = props.get("TopicName") or ctx.physical_name(logical_id, 251 if fifo else 256) + (
        ".fifo" if fifo else ""
    )
    attributes = {key: _attribute_value(props[key]) for key in _TOPIC_ATTRIBUTES if key in props}
    sns = ctx.clients("sns")
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    for subscription in props.get("Subscription") or []:
        _subscribe(ctx, logical_id, arn, subscription, {})
    ctx.registry.add(
        PhysicalResource(logical_id, resource["Type"], arn, {"TopicArn": arn, "TopicName": name})
    )


def create_subscription(ctx: ProvisionContext, logical_id: str, resource: Mapping[str, Any]) -> None:
    props = _props(ctx, resource)
    extra = {
        key: _attribute_value(props[key])
        for key in ("RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy")
        if key in props
    }
    arn = _subscribe(ctx, logical_id, props["TopicArn"], props, extra)
    ctx.registry.add(PhysicalResource(logical_id, resource["Type"], arn or ctx.physical_name(logical_id)))


def _subscribe(
    ctx: ProvisionContext,
    logical_id: str,
    topic_arn: str,
    spec: Mapping[str, Any],
    attributes: dict[str, str],
) -> str | None:
    # moto delivers SNS -> SQS itself; other protocols (email, lambda, http) are not emulated.
    if spec.get("Protocol") != "sqs":
        ctx.skip("AWS::SNS::Subscription", logical_id, f"protocol {spec.get('Protocol')} not emulated")
        return None
    response = ctx.clients("sns").subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=spec["Endpoint"], Attributes=attributes
    )
    return str(response["SubscriptionArn"])


def create_event_bus(ctx: ProvisionContext, logical_id: str, resource: Mapping[str, Any]) -> None:
    props = _props(ctx, resource)
    name = props["Name"]
    if name == "default":
        arn = ctx.arn("events", "event-bus/default")
    else:
        arn = ctx.clients("events").create_event_bus(Name=name)["EventBusArn"]
    ctx.registry.add(PhysicalResource(logical_id, resource["Type"], name, {"Arn": arn, "Name": name}))
