"""The local-throughput bench runs the local stack and reports every operation without errors."""

from __future__ import annotations

import pytest

from infra.bench import throughput

# one local stack per module: `make test` (--dist loadgroup) keeps its tests on one worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_bench_throughput")]


def test_throughput_bench_reports_filing_reading_and_outbox_delay() -> None:
    document = throughput.measure(requests=4, concurrency=2)
    filing, reading, outbox = document["operations"]
    assert filing["key"] == "POST /v1/complaints" and filing["errors"] == 0 and filing["requests_per_second"] > 0
    assert reading["requests"] == 8 and reading["errors"] == 0 and reading["p50_ms"] <= reading["p99_ms"]
    assert outbox["events"] == 4 and outbox["errors"] == 0 and outbox["p50_ms"] > 0


def test_drained_section_follows_every_complaint_until_handled() -> None:
    found = throughput.measure_drained(complaints=4, concurrency=2, timeout=120.0)
    assert found["drained"] and found["whatsapp"] == 2 and found["api"] == 2 and found["rejected"] == 0
    assert found["lost"] == 0 and found["dead_letters"] == 0 and found["complaints_per_second"] > 0
    assert found["whatsapp_post_to_reply"]["p50_ms"] > 0
    assert found["cpu_ms_per_complaint"] > 0
