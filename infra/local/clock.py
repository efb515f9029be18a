"""Local mode's controllable "now": real time plus an offset that POST /local/clock moves forward.

Installed into aduan.logic.clock, so every handler in the local process (API, tracker, sweeper)
and the local scheduler see the same shifted time; a person can watch a deadline pass in minutes.
"""

from __future__ import annotations

import importlib
import threading
from datetime import UTC, datetime, timedelta
from typing import Any


class LocalClock:
    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def timestamp(self) -> float:
        return self.now().timestamp()

    @property
    def offset(self) -> timedelta:
        return self._offset

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the local clock only moves forward (deadlines already fired stay fired)")
        with self._lock:
            self._offset += delta
        return self.now()

    def install(self) -> None:
        """After the runtime loaded the Lambda code (aduan is importable only then)."""
        _aduan_clock().set_clock(self.now)

    def uninstall(self) -> None:
        _aduan_clock().set_clock(None)


def _aduan_clock() -> Any:
    return importlib.import_module("aduan.logic.clock")
