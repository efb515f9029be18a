"""boto3 clients for local mode's own calls, always aimed at the embedded moto server.

Endpoint, region and credentials are explicit so that nothing here can reach a real AWS account,
whatever the environment says. Clients are built once per service from one session (building a
session loads every service model, which is slow) under a lock, because boto3 sessions are not
thread-safe; the clients themselves are, and the pollers share them.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

FAKE_ACCESS_KEY = FAKE_SECRET_KEY = "testing"
# read_timeout must outlast SQS long polls; every poller may hold a connection in a long poll.
_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 2},
    connect_timeout=2,
    read_timeout=30,
    max_pool_connections=50,
)


class AwsClients:
    def __init__(self, endpoint_url: str, region: str) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        self._session = boto3.session.Session(
            aws_access_key_id=FAKE_ACCESS_KEY, aws_secret_access_key=FAKE_SECRET_KEY, region_name=region
        )
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __call__(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._session.client(  # type: ignore[call-overload]
                    service, endpoint_url=self.endpoint_url, config=_CONFIG
                )
            return self._clients[service]
