"""The shape every local event source poller shares: a daemon thread looping on poll_once."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollerSettings:
    # Local mode retries quickly: a failed message becomes visible again after this many seconds
    # (instead of the queue's VisibilityTimeout) and a failed stream batch is retried after a
    # backoff that starts at stream_backoff and doubles up to stream_backoff_max.
    retry_delay_seconds: int = 1
    sqs_wait_seconds: int = 1
    stream_idle_wait: float = 0.2
    stream_backoff: float = 0.1
    stream_backoff_max: float = 2.0
    async_attempts: int = 3  # Lambda's asynchronous invocation: the first try and two retries
    # A mapping's MaximumBatchingWindowInSeconds is honoured up to this: a batch is gathered until it is
    # full or the window is over, as Lambda does, except that locally gathering also stops when nothing more
    # arrived for one poll (so a lone message is not held for the whole window). Fuller batches cost less
    # per record (one invocation, one receive and delete, one PutEvents for the relay); the cap keeps a
    # developer's feedback loop short where the template allows more (the stats mapping's 5 s).
    batching_window_max: float = 1.0

    def batching_window(self, configured: float) -> float:
        return max(0.0, min(configured, self.batching_window_max))


class Poller:
    """A daemon thread that calls poll_once until stopped; errors are logged and retried."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stop_event = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"local-poller-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request_stop(self) -> None:
        self.stop_event.set()

    def join(self, timeout: float) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def poll_once(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.poll_once()
            except Exception:
                if self.stop_event.is_set():
                    return  # moto is shutting down under us
                LOG.exception("poller %s failed; retrying", self.name)
                self.stop_event.wait(1.0)
