"""A background thread that keeps a long-running local stack flat and its data on disk.

Every few seconds it bounds moto's bookkeeping (retention.py) and, when something was written since the
last snapshot, saves one. A snapshot of a large state costs time under the GIL, so the next one waits at
least four times as long as the last took: saving never takes more than a fifth of the process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from infra.local.poller import Poller
from infra.local.retention import bound_bookkeeping
from infra.local.state import Snapshotter

LOG = logging.getLogger(__name__)
Changes = Callable[[], tuple[int, float]]  # something that moves whenever the state may have changed


class Housekeeper(Poller):
    def __init__(self, dynamodb_lock: Any, snapshotter: Snapshotter | None, changes: Changes,
                 every: float = 5.0) -> None:
        super().__init__("housekeeping")
        self._lock = dynamodb_lock
        self._snapshotter = snapshotter
        self._changes = changes
        self._every = every
        self._saved: tuple[int, float] | None = None
        self._next_save = 0.0
        self.snapshots = 0
        self.last_seconds = 0.0

    def poll_once(self) -> None:
        if self.stop_event.wait(self._every):
            return
        bound_bookkeeping(self._lock)
        if time.monotonic() >= self._next_save:
            self.save_if_changed()

    def save_if_changed(self) -> bool:
        if self._snapshotter is None:
            return False
        changes = self._changes()
        if changes == self._saved:
            return False
        self.last_seconds = self._snapshotter.save()
        self._saved = changes
        self.snapshots += 1
        self._next_save = time.monotonic() + max(self._every, 4 * self.last_seconds)
        LOG.debug("local state saved in %.2f s to %s", self.last_seconds, self._snapshotter.file.path)
        return True
