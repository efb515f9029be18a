"""Event pattern matching, as Lambda applies FilterCriteria (local mode filters; moto does not)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.patterns import PatternError, matches, matches_any, parse_pattern

OUTBOX = parse_pattern('{"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S": [{"prefix": "EV#"}]}}}}')


def stream_record(event_name: str, sk: str) -> dict[str, Any]:
    return {"eventName": event_name, "dynamodb": {"Keys": {"pk": {"S": "T#1"}, "sk": {"S": sk}}}}


def test_the_outbox_filter() -> None:
    assert matches(OUTBOX, stream_record("INSERT", "EV#0001"))
    assert not matches(OUTBOX, stream_record("MODIFY", "EV#0001"))
    assert not matches(OUTBOX, stream_record("INSERT", "META"))
    assert not matches(OUTBOX, {"eventName": "INSERT"})  # nested object missing


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ({"a": ["x", "y"]}, {"a": "y"}, True),
        ({"a": ["x"]}, {"a": "z"}, False),
        ({"a": [1]}, {"a": 1.0}, True),
        ({"a": [True]}, {"a": 1}, False),
        ({"a": [None]}, {"a": None}, True),
        ({"a": ["x"]}, {"a": ["q", "x"]}, True),  # arrays match when any element does
        ({"a": [{"prefix": "EV#"}]}, {"a": "EV#1"}, True),
        ({"a": [{"prefix": {"equals-ignore-case": "ev#"}}]}, {"a": "EV#1"}, True),
        ({"a": [{"suffix": ".png"}]}, {"a": "x.png"}, True),
        ({"a": [{"equals-ignore-case": "Hello"}]}, {"a": "hELLO"}, True),
        ({"a": [{"exists": True}]}, {"a": "x"}, True),
        ({"a": [{"exists": True}]}, {}, False),
        ({"a": [{"exists": False}]}, {}, True),
        ({"a": [{"exists": False}]}, {"a": 1}, False),
        ({"a": [{"anything-but": ["x", "y"]}]}, {"a": "z"}, True),
        ({"a": [{"anything-but": ["x", "y"]}]}, {"a": "x"}, False),
        ({"a": [{"anything-but": "x"}]}, {}, False),  # the field must exist
        ({"a": [{"anything-but": {"prefix": "tmp/"}}]}, {"a": "tmp/1"}, False),
        ({"a": [{"numeric": [">", 0, "<=", 5]}]}, {"a": 5}, True),
        ({"a": [{"numeric": [">", 0, "<=", 5]}]}, {"a": 6}, False),
        ({"a": [{"numeric": [">", 0]}]}, {"a": "5"}, False),
        ({"a": [{"wildcard": "img/*.png"}]}, {"a": "img/cat.png"}, True),
        ({"$or": [{"a": ["x"]}, {"b": ["y"]}]}, {"b": "y"}, True),
        ({"$or": [{"a": ["x"]}, {"b": ["y"]}]}, {"b": "n"}, False),
        (
            {"detail": {"status": ["verified"]}, "source": ["aduan.tickets"]},
            {"source": "aduan.tickets", "detail": {"status": "verified", "other": 1}},
            True,
        ),
    ],
)
def test_matchers(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert matches(parse_pattern(pattern), event) is expected


def test_filters_are_ored_and_no_filter_passes_everything() -> None:
    patterns = [parse_pattern({"a": ["x"]}), parse_pattern({"b": ["y"]})]
    assert matches_any(patterns, {"b": "y"})
    assert not matches_any(patterns, {"c": 1})
    assert matches_any([], {"anything": True})


@pytest.mark.parametrize(
    "pattern",
    [
        '["not", "an", "object"]',
        {"a": "bare-string"},
        {"a": [{"cidr": "10.0.0.0/8"}]},
        {"a": [{"numeric": [">"]}]},
        {"$or": []},
    ],
)
def test_unsupported_or_malformed_patterns_fail_early(pattern: Any) -> None:
    with pytest.raises(PatternError):
        parse_pattern(pattern)
