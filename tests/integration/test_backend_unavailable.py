"""AWS busy or out of reach after the client's own retries: the caller hears 503 with Retry-After (retry and it
works), not a 500 that reads as our bug. Seen in the 200-complaint fault run: a connect timeout on a status read."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError

from conftest import Api


def _client_error(code: str, status: int, *reasons: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status},
                        "CancellationReasons": [{"Code": reason} for reason in reasons]}, "Query")


@pytest.mark.parametrize("failure", [
    ConnectTimeoutError(endpoint_url="https://dynamodb.ap-southeast-3.amazonaws.com/"),
    ReadTimeoutError(endpoint_url="https://dynamodb.ap-southeast-3.amazonaws.com/"),
    _client_error("ProvisionedThroughputExceededException", 400),
    _client_error("InternalServerError", 500),
    _client_error("TransactionCanceledException", 400, "None", "TransactionConflict"),
], ids=["connect-timeout", "read-timeout", "throttled", "server-error", "transaction-conflict"])
def test_an_unavailable_backend_is_a_retryable_503(api: Api, failure: Exception) -> None:
    from aduan.services.tickets import TicketService

    code = api.file()["tracking_code"]

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise failure

    with mock.patch.object(TicketService, "get", unavailable):
        reply = api("GET", f"/v1/complaints/{code}", who="verifier")
    assert reply.status == 503, reply.body
    assert reply.body["error"]["code"] == "service_unavailable"
    assert reply.headers["Retry-After"] == "2"
    assert api("GET", f"/v1/complaints/{code}", who="verifier").status == 200  # and the retry works


def test_our_own_mistake_is_still_a_500(api: Api) -> None:
    from aduan.services.tickets import TicketService

    code = api.file()["tracking_code"]

    def wrong(*args: Any, **kwargs: Any) -> Any:
        raise _client_error("ValidationException", 400)

    with mock.patch.object(TicketService, "get", wrong):
        reply = api("GET", f"/v1/complaints/{code}", who="verifier")
    assert reply.status == 500 and reply.body["error"]["code"] == "internal_error"


def test_a_webhook_meeting_an_unavailable_queue_asks_the_provider_to_retry() -> None:
    """The provider redelivers on any 5xx; a 503 with Retry-After says it is AWS being busy, not our bug."""
    from aduan.routes import webhooks

    answer = webhooks.unexpected(ReadTimeoutError(endpoint_url="https://sqs.ap-southeast-3.amazonaws.com/"))
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "2"
    assert webhooks.unexpected(KeyError("a bug")).status_code == 500
