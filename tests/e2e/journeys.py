"""What the end-to-end journeys share on top of over_http.py: the cast (one bearer token per role), the
complaint they file, a transition at the version the caller sees now, and waiting for work the stack
does in the background (queues, streams, schedules) without sleeping a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from infra.local import LocalStack
from tests.e2e.over_http import call, token

T = TypeVar("T")

# `{tag}` keeps each journey's people apart (and recognisable) in a stack's data.
ROLES = {
    "citizen": "role=citizen&sub=warga-{tag}&name=Sari",
    "verifier": "role=verifier&sub=desk-{tag}",
    "supervisor": "role=supervisor&sub=spv-{tag}",
    "dpu": "role=agency_officer&sub=dpu-{tag}&agency_id=dpu",
    "bina_marga": "role=agency_officer&sub=bm-{tag}&agency_id=dpu-bina-marga",
}

COMPLAINT = {"title": "Jalan berlubang di Jl. Pandanaran",
             "text": "Ada lubang besar di depan toko oleh-oleh, berbahaya bagi pengendara motor.",
             "category_id": "jalan-rusak",
             "location": {"lat": -6.9875, "lon": 110.412, "address": "Jl. Pandanaran, Semarang Tengah"}}


def tokens(stack: LocalStack, tag: str, *roles: str) -> list[str]:
    """Bearer tokens for `roles` (keys of ROLES), in that order."""
    return [token(stack, ROLES[role].format(tag=tag)) for role in roles]


def file_complaint(stack: LocalStack, citizen: str, **overrides: Any) -> str:
    """File COMPLAINT (with `overrides`) through the API; its tracking code."""
    status, filed = call(stack, "POST", "/v1/complaints", {**COMPLAINT, **overrides}, citizen)
    assert status == 201, filed
    return str(filed["tracking_code"])


def act(stack: LocalStack, code: str, who: str, action: str, **fields: Any) -> dict[str, Any]:
    """One transition at the version the caller sees now (background workers may have written meanwhile)."""
    for _ in range(3):
        version = call(stack, "GET", f"/v1/complaints/{code}", token=who)[1]["version"]
        status, body = call(stack, "POST", f"/v1/complaints/{code}/transitions",
                            {"action": action, "expected_version": version, **fields}, who)
        if status != 409 or body["error"]["code"] != "version_conflict":
            assert status == 200, (action, body)
            return dict(body)
    raise AssertionError(f"{action}: version conflicts kept coming")


def event_is(detail_type: str, code: str) -> Callable[[dict[str, Any]], bool]:
    """For LocalStack.wait_for_event: the bus event `detail_type` of complaint `code`."""
    return lambda event: event.get("detail-type") == detail_type and event["detail"].get("tracking_code") == code


def until(what: str, found: Callable[[], T], timeout: float = 60.0, every: float = 0.2) -> T:
    """`found()` once it is truthy; fails naming `what` when it is still falsy after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = found()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:g} s")
        time.sleep(every)
