"""Per-provider send rate: a token bucket per process. With the sender's concurrency capped in the
template (MaximumConcurrency), the fleet-wide rate is at most that many times the configured rate."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    burst: float = 1.0
    tokens: float = field(default=-1.0)
    stamp: float = 0.0

    def wait(self, now: float) -> float:
        """Seconds to wait before the next send (and take the token)."""
        if self.rate <= 0:
            return 0.0
        if self.tokens < 0:
            self.tokens, self.stamp = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1.0
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate
