"""The local state file: JSON Lines under .local-state/, written atomically, read back strictly.

Line one is a header naming the format and its version, the last line an end marker with the number of
records between: a file cut short, edited into invalid JSON or written by another format version is
refused with its name and line, never half-loaded. A new state is written to a temporary file in the same
directory, flushed to disk and renamed over the old one, so a kill -9 leaves the previous state or the new
one, never a mixture. Files are never deleted: a state set aside (a fresh start, or one that cannot be
loaded) is renamed with the time it was set aside.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from infra.local.errors import LocalStackError

FORMAT = "aduan-local-state"
VERSION = 1
FILE_NAME = "state.jsonl"


class StateFileError(LocalStackError):
    """The state file cannot be loaded (corrupt, cut short, or from an incompatible version)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StateWriter:
    """Records of one snapshot, streamed to a temporary file; commit() puts it in place."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self._path = path
        self._temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self._file: TextIO = self._temporary.open("w", encoding="utf-8")
        self._count = 0
        self._write({"format": FORMAT, "version": VERSION, **header})

    def record(self, kind: str, **fields: Any) -> None:
        self._write({"kind": kind, **fields})
        self._count += 1

    def commit(self) -> None:
        self._write({"kind": "end", "records": self._count})
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._temporary, self._path)
        directory = os.open(self._path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)

    def abandon(self) -> None:
        self._file.close()
        self._temporary.unlink(missing_ok=True)

    def _write(self, value: dict[str, Any]) -> None:
        self._file.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
        self._file.write("\n")


class StateFile:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME

    def exists(self) -> bool:
        return self.path.exists()

    def writer(self, header: dict[str, Any]) -> StateWriter:
        self.directory.mkdir(parents=True, exist_ok=True)
        return StateWriter(self.path, header)

    def header(self) -> dict[str, Any]:
        """The header of a complete, readable file of this version (raises StateFileError otherwise)."""
        for header, _ in self._read():
            return header
        raise StateFileError(self.path, "the file is empty")

    def records(self) -> Iterator[dict[str, Any]]:
        for _, record in self._read():
            if record is not None:
                yield record

    def validate(self) -> dict[str, Any]:
        """Read the whole file once; its header if every line is sound."""
        header: dict[str, Any] = {}
        for found, _ in self._read():
            header = found
        return header

    def move_aside(self, why: str) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{FILE_NAME}.{why}-{stamp}")
        os.replace(self.path, target)
        return target

    def _read(self) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
        """(header, record) per record line, then (header, None) once the end marker checked out."""
        try:
            with self.path.open(encoding="utf-8") as lines:
                header = _parse(self.path, 1, next(lines, ""))
                if header.get("format") != FORMAT:
                    raise StateFileError(self.path, f"not an Aduan local state file (format {header.get('format')!r})")
                if header.get("version") != VERSION:
                    raise StateFileError(self.path, f"state format version {header.get('version')!r}; this "
                                                    f"version of local mode reads version {VERSION}")
                for count, (number, line) in enumerate(enumerate(lines, start=2)):
                    record = _parse(self.path, number, line)
                    if record.get("kind") == "end":
                        if record.get("records") != count:
                            raise StateFileError(self.path, f"line {number}: {count} records, the end marker "
                                                            f"says {record.get('records')}")
                        yield header, None
                        return
                    yield header, record
        except (OSError, UnicodeDecodeError) as error:
            raise StateFileError(self.path, f"cannot be read: {error}") from error
        raise StateFileError(self.path, "cut short: no end marker (written by a process that was stopped "
                                        "mid-write, or edited)")


def _parse(path: Path, number: int, line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except ValueError as error:
        raise StateFileError(path, f"line {number} is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise StateFileError(path, f"line {number} is not a JSON object")
    return value
