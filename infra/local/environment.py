"""Process environment changes local mode makes, undone on stop (tests run several stacks)."""

from __future__ import annotations

import os
from collections.abc import Mapping

_UNSET = None


class EnvironmentPatch:
    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def set(self, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            self._saved.setdefault(name, os.environ.get(name, _UNSET))
            os.environ[name] = value

    def unset(self, *names: str) -> None:
        for name in names:
            self._saved.setdefault(name, os.environ.get(name, _UNSET))
            os.environ.pop(name, None)

    def restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()
