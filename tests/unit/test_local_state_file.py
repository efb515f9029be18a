"""The local state file is written atomically and read strictly: anything cut short, damaged or of another
version is refused with the file's name and the reason, and a set-aside file is renamed, never deleted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.local.state_file import FILE_NAME, StateFile, StateFileError


def _written(directory: Path, items: int = 3) -> StateFile:
    state = StateFile(directory)
    writer = state.writer({"clock_offset_seconds": 60.0})
    for number in range(items):
        writer.record("item", table="t", item={"pk": {"S": f"T#{number}"}})
    writer.commit()
    return state


def test_a_committed_state_reads_back_record_by_record(tmp_path: Path) -> None:
    state = _written(tmp_path)
    assert state.validate()["clock_offset_seconds"] == 60.0
    assert [record["item"]["pk"]["S"] for record in state.records()] == ["T#0", "T#1", "T#2"]
    assert [path.name for path in tmp_path.iterdir()] == [FILE_NAME]  # no temporary file left behind


def test_an_abandoned_snapshot_leaves_the_previous_one(tmp_path: Path) -> None:
    state = _written(tmp_path)
    writer = state.writer({})
    writer.record("item", table="t", item={})
    writer.abandon()
    assert len(list(state.records())) == 3 and [p.name for p in tmp_path.iterdir()] == [FILE_NAME]


@pytest.mark.parametrize("damage,reason", [
    (lambda lines: lines[:-1], "cut short"),
    (lambda lines: [*lines[:-1], json.dumps({"kind": "end", "records": 7})], "end marker says 7"),
    (lambda lines: [lines[0], "{not json", *lines[2:]], "line 2 is not valid JSON"),
    (lambda lines: [json.dumps({"format": "aduan-local-state", "version": 99}), *lines[1:]], "version 99"),
    (lambda lines: [json.dumps({"format": "something-else"}), *lines[1:]], "not an Aduan local state file"),
])
def test_a_damaged_file_is_refused_with_its_name_and_reason(tmp_path: Path, damage: object, reason: str) -> None:
    state = _written(tmp_path)
    lines = state.path.read_text(encoding="utf-8").splitlines()
    state.path.write_text("\n".join(damage(lines)) + "\n", encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(StateFileError) as refused:
        state.validate()
    assert str(state.path) in str(refused.value) and reason in str(refused.value)


def test_setting_aside_renames_and_keeps_the_file(tmp_path: Path) -> None:
    state = _written(tmp_path)
    content = state.path.read_bytes()
    moved = state.move_aside("set-aside")
    assert not state.exists() and moved.read_bytes() == content and moved.name.startswith(f"{FILE_NAME}.set-aside-")
