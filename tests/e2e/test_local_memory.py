"""The local stack stays flat: complaints filed through WhatsApp webhooks and the API, with every worker
running, add at most a small, bounded amount of resident memory (docs/local-mode.md).

Before the undo journal, 20 complaints took the process from 604 MB to 2,343 MB: any return of a per-write
table copy or an unbounded buffer breaks the ceiling at once. The ceiling is per batch of complaints, with
room for the data itself (items, outbox, idempotency records) and allocator noise."""

from __future__ import annotations

import pytest

from infra.bench import memory

# one local stack per module: `make test` (--dist loadgroup) keeps its tests on one worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_local_memory")]
BATCH = 40
CEILING_MB = 10.0  # growth allowed for BATCH complaints between the first and the second batch (measured: ~1)


def test_memory_growth_per_batch_stays_under_the_ceiling() -> None:
    found = memory.measure(batches=(BATCH, BATCH), warm_up=10, timeout=240.0)
    first, second = found["points"][1], found["points"][2]
    assert found["lost"] == 0, found
    assert second["rss_mb"] - first["rss_mb"] < CEILING_MB, found
