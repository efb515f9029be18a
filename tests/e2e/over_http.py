"""What every end-to-end module needs: a local stack of its own and a JSON client for its gateway.

Not a conftest.py: tests/integration/conftest.py is imported as the top-level module `conftest`
(`from conftest import Api`), and a second conftest.py would compete for that name."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from infra.local import LocalStack

Reset = Callable[[], None]


def stack_fixture(*also_reset: Reset, **options: Any) -> Any:
    """A module-scoped `stack` fixture; `also_reset` clears the module's own caches on both sides of it;
    `options` go to LocalStack (faults=...)."""

    @pytest.fixture(scope="module", name="stack")
    def stack() -> Iterator[LocalStack]:
        from aduan.dal import clients

        # clients cached by earlier in-process tests point at another endpoint
        resets = [clients.reset, *also_reset]
        for reset in resets:
            reset()
        with LocalStack(port=0, **options) as running:
            yield running
        for reset in resets:
            reset()

    return stack


def call(stack: LocalStack, method: str, path: str, body: Any = None, token: str | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any]:
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    return exchange(stack.api_url + path, method, data, all_headers)


def exchange(url: str, method: str, data: bytes | None, headers: dict[str, str]) -> tuple[int, Any]:
    """One HTTP request: its status and its JSON body (None when empty, or when an error body is not JSON)."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text) if text else None
        except ValueError:
            return error.code, None


def token(stack: LocalStack, query: str) -> str:
    status, body = call(stack, "GET", f"/local/token?{query}")
    assert status == 200
    return str(body["token"])
