"""The per-provider token bucket: bursts up to its size, then one send per 1/rate seconds."""

from __future__ import annotations

import pytest

from aduan.logic.rate_limit import TokenBucket


def test_bucket_spaces_sends_to_the_rate() -> None:
    bucket = TokenBucket(rate=2.0, burst=2.0)
    assert [bucket.wait(100.0), bucket.wait(100.0)] == [0.0, 0.0]  # the burst
    assert bucket.wait(100.0) == pytest.approx(0.5)  # then 2 per second
    assert bucket.wait(101.5) == 0.0  # refilled while idle


def test_no_rate_means_no_waiting() -> None:
    assert TokenBucket(rate=0).wait(1.0) == 0.0
