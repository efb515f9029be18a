"""A provider request that is an AWS API call (SES, SNS): made through boto3, its outcome read into the
senders' Reply. The HTTPS side of the same transport is adapters/provider_transport.py."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from aduan.adapters.senders.base import Reply
from aduan.dal.clients import client


def aws_call(service: str, operation: str, params: dict[str, Any]) -> Reply:
    try:
        response = getattr(client(service), operation)(**params)
    except ClientError as error:
        detail = error.response.get("Error", {})
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 400)
        return Reply(status, {"message": detail.get("Message", "")}, error_code=detail.get("Code", "ClientError"))
    except BotoCoreError as error:
        return Reply(0, {"message": str(error)}, error_code="network")
    return Reply(200, {key: value for key, value in response.items() if key != "ResponseMetadata"})
