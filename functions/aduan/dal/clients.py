"""boto3 clients, built on first use: building them at import would fix the endpoint and credentials
before tests or local mode set them, and would slow every cold start for clients a path never uses."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

# What AWS answers when it is busy or briefly unavailable: worth the caller's retry, not a bug of ours.
_BUSY_CODES = frozenset({"ThrottlingException", "Throttling", "ProvisionedThroughputExceededException",
                         "RequestLimitExceeded", "TransactionInProgressException", "InternalServerError",
                         "ServiceUnavailable", "SlowDown", "RequestThrottled"})
_BUSY_REASONS = frozenset({"ThrottlingError", "TransactionConflict", "ProvisionedThroughputExceeded"})

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5)


@cache
def client(service: str) -> Any:
    return boto3.client(service, config=_CONFIG)  # type: ignore[call-overload]


def reset() -> None:
    """Forget cached clients (tests switch endpoints between runs)."""
    client.cache_clear()


def transient(exc: BaseException) -> bool:
    """An AWS call that still failed after the client's own retries because the service was busy or out of
    reach (timeouts, dropped connections, throttling, 5xx); a request answered with 503 can simply be retried."""
    if isinstance(exc, ConnectionError | HTTPClientError):  # connect/read timeouts, endpoint unreachable
        return True
    if isinstance(exc, ClientError):
        answer = exc.response
        reasons = {reason.get("Code") for reason in answer.get("CancellationReasons", [])}  # a transaction's items
        return (answer.get("Error", {}).get("Code") in _BUSY_CODES or bool(reasons & _BUSY_REASONS)
                or int(answer.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)) >= 500)
    return False
