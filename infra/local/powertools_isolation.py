"""Powertools Metrics state per thread, as Lambda gives it per process.

Lambda runs each function in its own process, one invocation at a time. Local mode runs every function in
one process, on threads. Powertools keeps an invocation's metrics, dimensions and metadata in class-level
dicts that every `Metrics` object of a process shares, so two functions' invocations on different threads
added to and flushed one set: one function's metrics came out under another's invocation, and a flush that
iterated the set while another thread added to it raised "dictionary changed size during iteration" (an
API invocation failed with it, a 502, in the 200-complaint fault run). With a set per thread an invocation
sees only its own metrics, as in Lambda (the runtime runs each invocation wholly on one thread)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator, MutableMapping
from typing import Any


class PerThreadDict(MutableMapping[str, Any]):
    """A dict whose contents belong to the thread that reads or writes it."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _mine(self) -> dict[str, Any]:
        mine: dict[str, Any] | None = getattr(self._local, "contents", None)
        if mine is None:
            mine = self._local.contents = {}
        return mine

    def __getitem__(self, key: str) -> Any:
        return self._mine()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._mine()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._mine()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._mine()))

    def __len__(self) -> int:
        return len(self._mine())

    def clear(self) -> None:
        self._mine().clear()

    def copy(self) -> dict[str, Any]:
        return dict(self._mine())


_SETS = (("_metrics", "metric_set"), ("_dimensions", "dimension_set"), ("_metadata", "metadata_set"))


def isolate_metrics() -> None:
    """Give every Metrics object, made before or after this call, per-thread sets (idempotent)."""
    from aws_lambda_powertools.metrics import Metrics

    if isinstance(Metrics._metrics, PerThreadDict):
        return
    for shared, _ in _SETS:
        setattr(Metrics, shared, PerThreadDict())
    for found in gc.get_objects():  # objects built at an earlier import keep references to the old dicts
        if isinstance(found, Metrics):
            for shared, attribute in _SETS:
                setattr(found, attribute, getattr(Metrics, shared))
                setattr(found.provider, attribute, getattr(Metrics, shared))
