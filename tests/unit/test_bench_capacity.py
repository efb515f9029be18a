"""The capacity calculator against the worked examples of the DynamoDB developer guide."""

from __future__ import annotations

from typing import Any

import pytest

from infra.bench import capacity
from infra.bench.capacity import Index, Table
from infra.sam import load_template

PLAIN = Table("plain", ("pk",))


def item_of(size: int, **extra: Any) -> dict[str, Any]:
    """An item of exactly `size` bytes (plus `extra` attributes): "pk"+"a" = 3, "d" = 1, the rest is padding."""
    item = {"pk": {"S": "a"}, "d": {"S": "x" * (size - 4)}, **extra}
    assert capacity.item_size({"pk": item["pk"], "d": item["d"]}) == size
    return item


# ------------------------------------------------------------------------------------------- sizes
def test_string_size_is_name_plus_utf8_bytes() -> None:
    assert capacity.item_size({"name": {"S": "abc"}}) == 4 + 3
    assert capacity.item_size({"kota": {"S": "Pémalang"}}) == 4 + 9  # é is two bytes in UTF-8


@pytest.mark.parametrize(("number", "size"), [
    ("7", 2), ("12", 2), ("123", 3), ("1000", 2), ("-0.0012", 2), ("3.14159", 4), ("3.141592", 5), ("0", 2),
])
def test_number_size_is_one_byte_per_two_significant_digits_plus_one(number: str, size: int) -> None:
    assert capacity.number_size(number) == size


def test_binary_bool_and_null() -> None:
    assert capacity.item_size({"b": {"B": b"\x00\x01\x02"}}) == 1 + 3
    assert capacity.item_size({"ok": {"BOOL": True}, "no": {"NULL": True}}) == (2 + 1) + (2 + 1)


def test_maps_and_lists_cost_three_bytes_plus_one_per_element() -> None:
    assert capacity.item_size({"m": {"M": {}}}) == 1 + 3
    # map element: its name (1) + its value (1) + 1 byte
    assert capacity.item_size({"m": {"M": {"a": {"S": "x"}}}}) == 1 + 3 + (1 + 1 + 1)
    # list elements: value + 1 byte each
    assert capacity.item_size({"l": {"L": [{"N": "1"}, {"S": "ab"}]}}) == 1 + 3 + (2 + 1) + (2 + 1)


def test_sets_are_the_sum_of_their_elements() -> None:
    assert capacity.item_size({"ss": {"SS": ["ab", "c"]}}) == 2 + 3
    assert capacity.item_size({"ns": {"NS": ["1", "123"]}}) == 2 + 2 + 3


# ------------------------------------------------------------------------------------------- writes
def test_a_put_of_1_5_kb_costs_2_wcu() -> None:
    cost = capacity.item_write(PLAIN, None, item_of(1536))
    assert cost.wcu == 2 and cost.index_wcu == {}


def test_a_put_of_exactly_1_kb_costs_1_wcu_and_one_byte_more_costs_2() -> None:
    assert capacity.item_write(PLAIN, None, item_of(1024)).wcu == 1
    assert capacity.item_write(PLAIN, None, item_of(1025)).wcu == 2


def test_a_transaction_of_two_500_byte_items_costs_4_wcu() -> None:
    costs = [capacity.item_write(PLAIN, None, item_of(500), transactional=True) for _ in range(2)]
    assert sum(cost.wcu for cost in costs) == 4


def test_an_update_is_charged_on_the_larger_of_old_and_new() -> None:
    assert capacity.item_write(PLAIN, item_of(1536), item_of(500)).wcu == 2
    assert capacity.item_write(PLAIN, item_of(500), item_of(2100)).wcu == 3


def test_a_refused_write_costs_the_table_but_no_index() -> None:
    assert capacity.refused_write(item_of(1536), item_of(100)) == capacity.Cost(wcu=2)


# ------------------------------------------------------------------------------------------- reads
def test_get_item_rounds_up_to_4_kb() -> None:
    assert capacity.item_read(item_of(3584), consistent=True).rcu == 1  # 3.5 KB -> 4 KB
    assert capacity.item_read(item_of(10 * 1024), consistent=True).rcu == 3  # 10 KB -> 12 KB
    assert capacity.item_read(item_of(8 * 1024), consistent=False).rcu == 1  # eventual: half
    assert capacity.item_read(item_of(8 * 1024), consistent=True, transactional=True).rcu == 4


def test_a_read_that_finds_nothing_still_costs_one_unit() -> None:
    assert capacity.item_read(None, consistent=True).rcu == 1
    assert capacity.query_read([], consistent=False).rcu == 0.5


def test_a_query_of_three_1_5_kb_items_rounds_the_sum_once() -> None:
    items = [item_of(1536) for _ in range(3)]  # 4.5 KB -> 8 KB
    assert capacity.query_read(items, consistent=True).rcu == 2
    assert capacity.query_read(items, consistent=False).rcu == 1


def test_a_condition_check_costs_like_a_transactional_read() -> None:
    assert capacity.condition_check(item_of(100)).rcu == 2
    assert capacity.condition_check(item_of(5000)).rcu == 4


# ------------------------------------------------------------------------------------------- indexes
BY_STATUS = Index("by_status", ("status", "created"), "ALL")
BY_ID = Index("by_id", ("id",), "KEYS_ONLY")
INCLUDED = Index("by_owner", ("owner",), "INCLUDE", ("title",))
INDEXED = Table("indexed", ("pk", "sk"), (BY_STATUS, BY_ID, INCLUDED))


def ticket(status: str, note: str = "") -> dict[str, Any]:
    return {"pk": {"S": "T#1"}, "sk": {"S": "#T"}, "id": {"S": "01J"}, "status": {"S": status},
            "created": {"S": "2026"}, "note": {"S": note}}


def test_a_new_item_puts_one_entry_in_each_index_whose_keys_it_has() -> None:
    assert capacity.index_write_units(INDEXED, None, ticket("received")) == {"by_status": 1, "by_id": 1}


def test_an_index_key_change_is_a_delete_and_a_put() -> None:
    spent = capacity.index_write_units(INDEXED, ticket("received"), ticket("verified"))
    assert spent["by_status"] == 2


def test_a_projected_attribute_change_is_one_write_and_keys_only_is_untouched() -> None:
    spent = capacity.index_write_units(INDEXED, ticket("received"), ticket("received", note="checked"))
    assert spent == {"by_status": 1}


def test_an_unchanged_item_and_a_sparse_index_cost_nothing() -> None:
    assert capacity.index_write_units(INDEXED, ticket("received"), ticket("received")) == {}
    entry = {"pk": {"S": "T#1"}, "sk": {"S": "EV#1"}}
    assert capacity.index_write_units(INDEXED, None, entry) == {}


def test_removing_an_index_key_deletes_the_entry() -> None:
    without_status = {k: v for k, v in ticket("received").items() if k != "status"}
    assert capacity.index_write_units(INDEXED, ticket("received"), without_status) == {"by_status": 1}


def test_index_entries_are_sized_by_their_projection() -> None:
    big = ticket("received", note="n" * 3000)
    assert capacity.index_write_units(INDEXED, None, big) == {"by_status": 3, "by_id": 1}
    keys_only = capacity.projected(INDEXED, BY_ID, big)
    # KEYS_ONLY: the table's keys and the index's keys, nothing else
    assert keys_only == {"pk": {"S": "T#1"}, "sk": {"S": "#T"}, "id": {"S": "01J"}}
    assert capacity.item_size(keys_only) == (2 + 3) + (2 + 2) + (2 + 3)
    owned = {**big, "owner": {"S": "u1"}, "title": {"S": "Lubang"}}
    assert set(capacity.projected(INDEXED, INCLUDED, owned) or {}) == {"pk", "sk", "owner", "title"}


def test_index_writes_are_not_doubled_in_a_transaction() -> None:
    cost = capacity.item_write(INDEXED, None, ticket("received"), transactional=True)
    assert cost.wcu == 2 and cost.index_wcu == {"by_status": 1, "by_id": 1} and cost.total_wcu == 4


def test_schema_from_the_template_tickets_table() -> None:
    properties = load_template()["Resources"]["TicketsTable"]["Properties"]
    table = Table.from_description({**properties, "TableName": "aduan-tickets"})
    assert table.keys == ("pk", "sk")
    indexes = {index.name: index for index in table.indexes}
    assert indexes["by_ticket_id"].projection == "KEYS_ONLY" and indexes["by_ticket_id"].keys == ("head_ticket_id",)
    assert indexes["queue_by_urgency"].keys == ("queue_pk", "urgency_sk")


def test_costs_add_up_per_index() -> None:
    total = capacity.Cost(rcu=1, wcu=2, index_wcu={"a": 1}) + capacity.Cost(wcu=1, index_wcu={"a": 2, "b": 1})
    assert total == capacity.Cost(rcu=1, wcu=3, index_wcu={"a": 3, "b": 1}) and total.total_wcu == 7
