"""Publishing to the custom EventBridge bus."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aduan.dal.clients import client
from aduan.logic.clock import from_storage


class PublishFailed(Exception):
    pass


def publish(entries: list[dict[str, Any]]) -> None:
    """Raise unless EventBridge accepted every entry (PutEvents reports failures per entry)."""
    prepared = [{**entry, "Time": _time(entry["Time"])} for entry in entries]
    answer = client("events").put_events(Entries=prepared)
    if answer.get("FailedEntryCount"):
        failures = [item for item in answer.get("Entries", []) if item.get("ErrorCode")]
        raise PublishFailed(f"EventBridge refused {len(failures)} event(s): {failures}")


def _time(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else from_storage(value)
