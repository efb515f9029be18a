"""moto's and botocore's per-request repeats done once (infra/local/memoised.py) answer as moto does, and uninstall
puts moto back as shipped."""

from __future__ import annotations

import os
from typing import Any
from unittest import mock

import boto3
import botocore.useragent
import moto.core.responses
import moto.sqs.models
from moto import mock_aws
from moto.core.utils import camelcase_to_underscores, method_names_from_class
from moto.sqs.responses import SQSResponse

from infra import emulation
from infra.local.memoised import install_memoised, uninstall_memoised


def _received_after_retention() -> list[list[str]]:
    """Bodies received from a queue whose retention period is 60 s: a message sent now, one sent 2 minutes ago."""
    with mock.patch.dict(os.environ, emulation.credentials()), mock_aws():
        os.environ.pop("AWS_ENDPOINT_URL", None)
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="retention", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="kept")
        sqs.send_message(QueueUrl=url, MessageBody="expired")
        queue: Any = moto.sqs.models.sqs_backends[emulation.ACCOUNT][emulation.REGION].queues["retention"]
        queue._messages[1].sent_timestamp -= 120_000
        first = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
        return [first, [str(len(queue._messages))]]


def test_answers_are_moto_s_and_uninstall_restores_it() -> None:
    shipped = _received_after_retention()
    sanitize = botocore.useragent.sanitize_user_agent_string_component
    install_memoised()
    try:
        assert moto.core.responses.method_names_from_class(SQSResponse) == set(method_names_from_class(SQSResponse))
        assert moto.sqs.models.camelcase_to_underscores("ReceiveMessageWaitTimeSeconds") == \
            camelcase_to_underscores("ReceiveMessageWaitTimeSeconds") == "receive_message_wait_time_seconds"
        for raw, allow_hash in (("Boto3/1.40 md/x#y", True), ("Boto3/1.40 md/x#y", False), ("", False)):
            assert botocore.useragent.sanitize_user_agent_string_component(raw, allow_hash) == sanitize(raw, allow_hash)
        assert _received_after_retention() == shipped == [["kept"], ["2"]]  # moto skips, and keeps, the expired one
    finally:
        uninstall_memoised()
    assert moto.core.responses.method_names_from_class is method_names_from_class
    assert moto.sqs.models.camelcase_to_underscores is camelcase_to_underscores
    assert botocore.useragent.sanitize_user_agent_string_component is sanitize


def _items_built() -> list[Any]:
    """Items moto builds: every attribute type, and the last sizes under and over its 405,000-byte limit."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, ItemSizeTooLarge

    every_type = {"pk": {"S": "T#1"}, "n": {"N": "-1.5"}, "b": {"B": b"\x00"}, "ss": {"SS": ["a", "b"]},
                  "ns": {"NS": ["1"]}, "flag": {"BOOL": True}, "none": {"NULL": True},
                  "m": {"M": {"l": {"L": [{"S": "ünï"}, {"N": "2"}]}}}}
    built: list[Any] = [Item(DynamoType({"S": "T#1"}), None, every_type).attrs]
    for padding in (404_994, 404_995):  # "pk" + "x" + "big" + padding = 405,000 / 405,001 bytes
        try:
            built.append(len(Item(DynamoType({"S": "x"}), None, {"pk": {"S": "x"}, "big": {"S": "a" * padding}}).attrs))
        except ItemSizeTooLarge:
            built.append("too large")
    return built


def test_items_are_built_and_refused_as_moto_does() -> None:
    shipped = _items_built()
    install_memoised()
    try:
        assert _items_built() == shipped
        assert shipped[1:] == [2, "too large"]
    finally:
        uninstall_memoised()
