"""Publishing to the custom EventBridge bus."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aduan.dal.clients import client
from aduan.logic.clock import from_storage

MAX_ENTRIES = 10  # PutEvents accepts at most 10 entries per call


class PublishFailed(Exception):
    pass


def publish(entries: list[dict[str, Any]]) -> None:
    """Raise unless EventBridge accepted every entry."""
    refused = publish_batch(entries)
    if refused:
        raise PublishFailed(f"EventBridge refused {len(refused)} event(s), first at position {refused[0]}")


def publish_batch(entries: list[dict[str, Any]]) -> list[int]:
    """Positions of the entries EventBridge refused (PutEvents reports failures per entry, in order)."""
    if not entries:
        return []
    prepared = [{**entry, "Time": _time(entry["Time"])} for entry in entries]
    answer = client("events").put_events(Entries=prepared)
    if not answer.get("FailedEntryCount"):
        return []
    return [index for index, item in enumerate(answer.get("Entries", [])) if item.get("ErrorCode")]


def _time(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else from_storage(value)
