"""Local mode's functions share one process: each thread (each invocation) gets its own Powertools metric set,
as each Lambda function has its own process."""

from __future__ import annotations

import json
import threading

import pytest
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from infra.local.powertools_isolation import PerThreadDict, isolate_metrics


def test_two_threads_flush_only_their_own_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    metrics = Metrics(namespace="Aduan", service="aduan")  # built before isolation, as at a handler's import
    isolate_metrics()
    isolate_metrics()  # idempotent
    assert isinstance(Metrics._metrics, PerThreadDict) and metrics.metric_set is metrics.provider.metric_set
    ready = threading.Barrier(2)

    def invocation(name: str) -> None:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
        metrics.add_metadata(key="who", value=name)
        ready.wait()  # both have added before either flushes: a shared set would hold both
        metrics.flush_metrics()

    threads = [threading.Thread(target=invocation, args=(name,)) for name in ("Filed", "Routed")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    published = sorted((blob["who"], [m["Name"] for m in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]])
                       for blob in blobs)
    assert published == [("Filed", ["Filed"]), ("Routed", ["Routed"])]


def test_iterating_one_thread_while_another_adds_is_safe() -> None:
    shared = PerThreadDict()
    shared["a"] = 1
    added = threading.Thread(target=lambda: shared.update({f"k{n}": n for n in range(1000)}))
    seen = []
    for key in shared:
        added.start()
        added.join()
        seen.append(key)
    assert seen == ["a"] and len(shared) == 1 and shared.copy() == {"a": 1}
