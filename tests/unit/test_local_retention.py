"""Stream records are dropped only once every local reader of the stream has handled them, and sequence
numbers keep their meaning afterwards."""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

from infra.local.retention import StreamRetention, drop_stream_records_before

START = 1000


class Shard:
    def __init__(self, records: int) -> None:
        self.starting_sequence_number = START
        self.items: list[Any] = list(range(START, START + records))  # a record stands for its own number


def test_dropping_moves_the_start_so_numbers_still_point_at_the_same_records() -> None:
    shard = Shard(10)
    assert drop_stream_records_before(shard, START + 4) == 4
    assert shard.starting_sequence_number == START + 4 and shard.items[0] == START + 4
    assert drop_stream_records_before(shard, START + 2) == 0  # already gone: nothing more
    assert drop_stream_records_before(shard, START + 99) == 6 and shard.items == []


def test_records_wait_for_the_slowest_reader() -> None:
    shard = Shard(10)
    retention = StreamRetention(threading.RLock())
    arn = "arn:aws:dynamodb:ap-southeast-3:123456789012:table/t/stream/label"
    with mock.patch("infra.local.retention.stream_shard", return_value=shard):
        retention.register(arn, "relay")
        retention.register(arn, "audit")
        retention.checkpoint(arn, "relay", START + 8)
        assert len(shard.items) == 10  # audit has not read anything yet
        retention.checkpoint(arn, "audit", START + 3)
        assert shard.items[0] == START + 3
        retention.checkpoint(arn, "audit", START + 9)
        assert shard.items[0] == START + 8


def test_moto_forgets_the_model_objects_it_tracked_for_its_dashboard_but_not_s3_keys() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType, Item
    from moto.s3.models import FakeKey

    from infra.local.retention import forget_tracked_instances

    item = Item(DynamoType({"S": "T#1"}), None, {"pk": {"S": "T#1"}})
    kept_keys = list(FakeKey.instances_tracked)  # type: ignore[attr-defined]
    assert item in Item.instances_tracked  # type: ignore[attr-defined]
    forget_tracked_instances()
    assert item not in Item.instances_tracked  # type: ignore[attr-defined]
    assert FakeKey.instances_tracked == kept_keys  # type: ignore[attr-defined]
