"""Issue 16, deliverable 4: a bounded schemathesis pass in `make test` (`make fuzz` runs a longer one):
every operation of the API document, including webhooks and Open311, as a citizen, a verifier, a DPU
officer, a supervisor and without a token, every built-in check. 0 server errors, 0 failed checks."""

from __future__ import annotations

import pytest

from infra.fuzz import run
from infra.local import LocalStack

# one local stack per module: `make test` (--dist loadgroup) keeps its tests on one worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_api_fuzz")]


def test_every_operation_as_every_role_answers_as_documented() -> None:
    from aduan.dal import clients

    clients.reset()  # clients cached by in-process tests point at another endpoint
    try:
        with LocalStack(port=0) as stack:
            report = run(stack.api_url, max_examples=3)
    finally:
        clients.reset()
    assert report.requests > 400
    assert report.server_errors == 0, report.summary()
    assert report.failures == [], "\n".join(report.failures[:20])
