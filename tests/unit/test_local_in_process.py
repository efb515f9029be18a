"""Local mode answers this process's boto3 calls to moto in-process: the same answers as over HTTP, through
the same WSGI chain (write counter, DynamoDB lock, request tokens), after the fault injector, and only for
this stack's moto and the services it takes over (S3 and outside clients keep the HTTP server)."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError

from infra.local.faults import FaultInjector, FaultPlan
from infra.local.in_process import InProcessAws, wsgi_environ
from infra.local.moto_server import MotoServer
from infra.local.runtime import _INVOKING

REGION = "ap-southeast-3"
# one moto server per module: `make test` (--dist loadgroup) keeps its tests on one worker
pytestmark = pytest.mark.xdist_group("test_local_in_process")


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    server = MotoServer()
    server.start()
    yield server
    server.stop()


def client(moto: MotoServer, service: str, config: Any = None) -> Any:
    # A new session per client: it picks up the hooks installed now (as the functions' clients do).
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return session.client(service, endpoint_url=moto.url, config=config)  # type: ignore[call-overload]


def _table(moto: MotoServer, name: str) -> Any:
    dynamodb = client(moto, "dynamodb")
    dynamodb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                                     {"AttributeName": "sk", "KeyType": "RANGE"}],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                {"AttributeName": "sk", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST",
                          StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    return dynamodb


def _without_ids(answer: dict[str, Any]) -> dict[str, Any]:
    answer = dict(answer)
    answer.pop("ResponseMetadata", None)
    return answer


def test_answers_equal_the_http_servers(moto: MotoServer) -> None:
    assert moto.in_process is not None
    dynamodb = _table(moto, "equal")
    item = {"pk": {"S": "T#1"}, "sk": {"S": "META"}, "blob": {"B": b"\x00\xff"}, "n": {"N": "1.50"},
            "tags": {"SS": ["a", "b"]}, "nested": {"M": {"l": {"L": [{"BOOL": True}, {"NULL": True}]}}}}
    dynamodb.put_item(TableName="equal", Item=item)
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_item", {"TableName": "equal", "Key": {"pk": {"S": "T#1"}, "sk": {"S": "META"}}}),
        ("query", {"TableName": "equal", "KeyConditionExpression": "pk = :p",
                   "ExpressionAttributeValues": {":p": {"S": "T#1"}}}),
        ("update_item", {"TableName": "equal", "Key": {"pk": {"S": "T#1"}, "sk": {"S": "META"}},
                         "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "0"}},
                         "ReturnValues": "ALL_NEW"}),
    ]
    answered = moto.in_process.answered
    in_process = [_without_ids(getattr(dynamodb, name)(**kwargs)) for name, kwargs in calls]
    assert moto.in_process.answered == answered + len(calls)
    moto.in_process.uninstall()
    try:
        over_http = [_without_ids(getattr(dynamodb, name)(**kwargs)) for name, kwargs in calls]
    finally:
        moto.in_process.install()
    assert moto.in_process.answered == answered + len(calls)  # the second round went over the socket
    assert in_process == over_http
    assert in_process[0]["Item"]["blob"] == {"B": b"\x00\xff"}


def test_errors_come_back_as_the_services_own(moto: MotoServer) -> None:
    dynamodb = _table(moto, "errors")
    key = {"pk": {"S": "T#1"}, "sk": {"S": "META"}}
    dynamodb.put_item(TableName="errors", Item=key)
    with pytest.raises(ClientError) as refused:
        dynamodb.put_item(TableName="errors", Item=key, ConditionExpression="attribute_not_exists(pk)")
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    with pytest.raises(ClientError) as missing:
        client(moto, "sqs").get_queue_url(QueueName="no-such-queue")
    assert missing.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_the_servers_chain_applies_writes_counted_and_tokens_honoured(moto: MotoServer) -> None:
    dynamodb = _table(moto, "tokens")
    writes, repeats = moto.writes.count, moto.tokens.repeats
    request = {"TransactItems": [{"Put": {"TableName": "tokens", "Item": {"pk": {"S": "A"}, "sk": {"S": "1"}},
                                          "ConditionExpression": "attribute_not_exists(pk)"}}],
               "ClientRequestToken": "same-token"}
    dynamodb.transact_write_items(**request)
    dynamodb.transact_write_items(**request)  # a retry after a lost answer: DynamoDB's success, no second write
    assert moto.tokens.repeats == repeats + 1
    assert moto.writes.count == writes + 2


def test_queues_and_buses_in_process_s3_over_http(moto: MotoServer) -> None:
    assert moto.in_process is not None
    sqs = client(moto, "sqs")
    url = sqs.create_queue(QueueName="in-process")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="halo", MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "ack"}})
    received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MessageAttributeNames=["All"])["Messages"]
    assert received[0]["Body"] == "halo" and received[0]["MessageAttributes"]["kind"]["StringValue"] == "ack"
    events = client(moto, "events")
    assert events.put_events(Entries=[{"Source": "aduan", "DetailType": "T", "Detail": "{}"}])["FailedEntryCount"] == 0

    streamed = _table(moto, "streamed")
    streamed.put_item(TableName="streamed", Item={"pk": {"S": "T#1"}, "sk": {"S": "META"}})
    arn = streamed.describe_table(TableName="streamed")["Table"]["LatestStreamArn"]
    streams = client(moto, "dynamodbstreams")
    answered = moto.in_process.answered
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    assert streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    assert moto.in_process.answered == answered + 3  # the stream pollers' calls too

    answered = moto.in_process.answered
    s3 = client(moto, "s3")
    s3.create_bucket(Bucket="in-process-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="in-process-bucket", Key="photo.jpg", Body=b"\xff\xd8")
    assert moto.in_process.answered == answered  # S3 kept the server
    # ...and an outside client (a browser following a presigned link, the CLI) still reaches moto over HTTP.
    link = s3.generate_presigned_url("get_object", Params={"Bucket": "in-process-bucket", "Key": "photo.jpg"})
    with urllib.request.urlopen(link, timeout=10) as response:
        assert response.read() == b"\xff\xd8"


def test_other_endpoints_and_an_uninstalled_hook_are_left_alone(moto: MotoServer) -> None:
    other = InProcessAws("http://127.0.0.1:1", lambda environ, start: [b""])
    other.install()
    try:
        assert _table(moto, "left-alone") is not None  # answered by moto's hook, not the other one
    finally:
        other.uninstall()
    assert other.answered == 0
    request = type("Prepared", (), {"url": moto.url + "/", "body": b"{}", "headers": {}})()
    assert other.before_send(request, "before-send.dynamodb.GetItem") is None


def test_the_fault_injector_decides_first(moto: MotoServer) -> None:
    assert moto.in_process is not None
    faults = FaultInjector(FaultPlan(rate=1.0, seed=3))
    faults.install()  # installed after the in-process hook, still asked first
    try:
        # Two attempts: DynamoDB's default ten, with backoff, made this test wait ~25 s on faults it expects.
        dynamodb = client(moto, "dynamodb", Config(retries={"mode": "standard", "max_attempts": 2}))
        _INVOKING.function = "Worker"  # as the runtime marks a function's thread
        try:
            with pytest.raises((ClientError, ConnectTimeoutError, ReadTimeoutError)):
                dynamodb.list_tables()
        finally:
            _INVOKING.function = None
        assert faults.report()["faults_total"] == faults.report()["calls_total"] >= 1
        assert "TableNames" in dynamodb.list_tables()  # not a function's call: no fault, answered in-process
    finally:
        faults.uninstall()


def test_the_environ_is_what_werkzeug_builds() -> None:
    request = type("Prepared", (), {
        "url": "http://127.0.0.1:5000/bucket/a%20b?list-type=2", "method": "GET", "body": None,
        "headers": {"Content-Type": "application/json", "X-Amz-Target": "DynamoDB_20120810.GetItem"}})()
    environ = wsgi_environ(request)
    assert environ["PATH_INFO"] == "/bucket/a b" and environ["RAW_URI"] == "/bucket/a%20b?list-type=2"
    assert environ["QUERY_STRING"] == "list-type=2" and environ["SERVER_PORT"] == "5000"
    assert environ["CONTENT_TYPE"] == "application/json" and environ["CONTENT_LENGTH"] == "0"
    assert environ["HTTP_X_AMZ_TARGET"] == "DynamoDB_20120810.GetItem" and environ["HTTP_HOST"] == "127.0.0.1:5000"


def test_direct_dispatch_answers_byte_for_byte_as_the_server(moto: MotoServer) -> None:
    """A corpus of requests as boto3 signs them (hot DynamoDB operations, a refused condition, streams, SQS,
    EventBridge), each answered by moto's handler directly and by the server's Flask app: same status, same
    body. Every request in it can be repeated with the same answer."""
    from moto.server import ThreadedMotoServer

    dynamodb = _table(moto, "corpus")
    sqs = client(moto, "sqs")
    queue = sqs.create_queue(QueueName="corpus")["QueueUrl"]
    key = {"pk": {"S": "T#1"}, "sk": {"S": "META"}}
    item = {**key, "n": {"N": "7"}, "blob": {"B": b"\x01\x02"}, "m": {"M": {"l": {"L": [{"S": "x"}, {"NULL": True}]}}}}
    corpus: list[Any] = []

    def record(request: Any, **_: Any) -> None:
        corpus.append(request)

    for each in (dynamodb, sqs):
        each.meta.events.register_first("before-send", record)
    dynamodb.put_item(TableName="corpus", Item=item)
    second = {"pk": {"S": "T#2"}, "sk": {"S": "A"}}
    dynamodb.batch_write_item(RequestItems={"corpus": [{"PutRequest": {"Item": second}}]})
    dynamodb.transact_write_items(TransactItems=[{"Put": {"TableName": "corpus", "Item": {"pk": {"S": "T#3"},
                                                                                          "sk": {"S": "A"}}}}])
    dynamodb.get_item(TableName="corpus", Key=key, ConsistentRead=True)
    dynamodb.get_item(TableName="corpus", Key={"pk": {"S": "none"}, "sk": {"S": "none"}})
    dynamodb.query(TableName="corpus", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "T#1"}},
                   ScanIndexForward=False, Limit=5)
    dynamodb.update_item(TableName="corpus", Key=key, UpdateExpression="SET n = :n",
                         ExpressionAttributeValues={":n": {"N": "7"}}, ReturnValues="ALL_NEW")
    with pytest.raises(ClientError):
        dynamodb.put_item(TableName="corpus", Item=item, ConditionExpression="attribute_not_exists(pk)")
    sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])
    sqs.list_queues(QueueNamePrefix="corpus")
    streams = client(moto, "dynamodbstreams")
    streams.meta.events.register_first("before-send", record)
    arn = dynamodb.describe_table(TableName="corpus")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    streams.get_records(ShardIterator=iterator["ShardIterator"])  # the stream poller's read, images and all
    corpus[-3:-1] = []  # DescribeStream and GetShardIterator answer with new values each time
    assert len(corpus) == 12  # DescribeTable too

    server = moto._server
    assert isinstance(server, ThreadedMotoServer)
    assert server._server is not None
    flask_front = server._server.app
    direct = moto.in_process._app if moto.in_process else None
    assert direct is not None

    def answer(app: Any, request: Any) -> tuple[int, bytes]:
        status: list[str] = []
        body = b"".join(app(wsgi_environ(request), lambda code, headers, *_: status.append(code)))
        # GetRecords hands out a new iterator each time: the only part of an answer that is not repeatable.
        return int(status[0].split()[0]), re.sub(rb'"NextShardIterator": "[^"]*"', b'"NextShardIterator": ""', body)

    for request in corpus:
        through_server, directly = answer(flask_front, request), answer(direct, request)
        assert directly == through_server, request.headers.get("X-Amz-Target")
    assert [answer(direct, request)[0] for request in corpus].count(400) == 1  # the refused condition
