"""EventBridge-style event pattern matching, as Lambda uses for event source mapping FilterCriteria.

moto delivers every stream record and every queued message, so local mode applies the mapping's
filters itself. Supported: literal value lists, nested objects, `$or`, and the matchers prefix,
suffix, equals-ignore-case, anything-but, exists, numeric and wildcard.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from infra.local.errors import LocalStackError

_NUMERIC_OPS: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_MISSING = object()


class PatternError(LocalStackError):
    """A filter pattern uses syntax local mode does not understand."""


def parse_pattern(raw: str | Mapping[str, Any]) -> dict[str, Any]:
    """A pattern from a template (a JSON string, or an object) checked for supported syntax."""
    pattern = json.loads(raw) if isinstance(raw, str) else dict(raw)
    if not isinstance(pattern, dict):
        raise PatternError(f"an event pattern must be a JSON object, got {raw!r}")
    _validate(pattern)
    return pattern


def matches_any(patterns: Sequence[Mapping[str, Any]], event: Mapping[str, Any]) -> bool:
    """Filters of one mapping are OR-ed; no filters means everything passes."""
    return not patterns or any(matches(pattern, event) for pattern in patterns)


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    for key, expected in pattern.items():
        if key == "$or":
            if not any(matches(branch, event) for branch in expected):
                return False
        elif isinstance(expected, Mapping):
            nested = event.get(key)
            if not isinstance(nested, Mapping) or not matches(expected, nested):
                return False
        elif not _leaf_matches(expected, event.get(key, _MISSING)):
            return False
    return True


def _leaf_matches(matchers: Sequence[Any], value: Any) -> bool:
    # An array in the event matches when any of its elements matches.
    values = value if isinstance(value, list) else [value]
    return any(_matcher_matches(matcher, item, value) for matcher in matchers for item in values)


def _matcher_matches(matcher: Any, item: Any, whole: Any) -> bool:
    if not isinstance(matcher, Mapping):
        return item is not _MISSING and _equal(matcher, item)
    ((name, argument),) = matcher.items()
    if name == "exists":
        return (whole is not _MISSING) == bool(argument)
    if item is _MISSING:
        return False
    if name == "anything-but":
        return not _any_of(argument, item)
    return _named(name, argument, item)


def _any_of(argument: Any, item: Any) -> bool:
    """`anything-but` takes a value, a list of values, or one string matcher such as prefix."""
    if isinstance(argument, Mapping):
        ((name, inner),) = argument.items()
        return _named(name, inner, item)
    candidates = argument if isinstance(argument, list) else [argument]
    return any(_equal(candidate, item) for candidate in candidates)


def _named(name: str, argument: Any, item: Any) -> bool:
    if name == "numeric":
        return _numeric(argument, item)
    if not isinstance(item, str):
        return False
    if name in ("prefix", "suffix"):
        ignore_case = isinstance(argument, Mapping)
        text = argument["equals-ignore-case"] if ignore_case else argument
        subject, text = (item.lower(), text.lower()) if ignore_case else (item, text)
        return subject.startswith(text) if name == "prefix" else subject.endswith(text)
    if name == "equals-ignore-case":
        return item.lower() == str(argument).lower()
    if name == "wildcard":
        regex = ".*".join(re.escape(part) for part in str(argument).split("*"))
        return re.fullmatch(regex, item, flags=re.DOTALL) is not None
    raise PatternError(f"unsupported pattern matcher {name!r}")


def _numeric(argument: Sequence[Any], item: Any) -> bool:
    if isinstance(item, bool) or not isinstance(item, int | float):
        return False
    pairs = zip(argument[::2], argument[1::2], strict=True)
    return all(_NUMERIC_OPS[op](float(item), float(bound)) for op, bound in pairs)


def _equal(expected: Any, actual: Any) -> bool:
    # JSON true must not equal 1: compare booleans and numbers by kind, numbers by value.
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    return bool(expected == actual)


def _validate(pattern: Mapping[str, Any]) -> None:
    for key, expected in pattern.items():
        if key == "$or":
            if not isinstance(expected, list) or not expected:
                raise PatternError("$or takes a non-empty list of patterns")
            for branch in expected:
                _validate(branch)
        elif isinstance(expected, Mapping):
            _validate(expected)
        elif isinstance(expected, list):
            for matcher in expected:
                _validate_matcher(matcher)
        else:
            raise PatternError(f"pattern value for {key!r} must be a list or an object, got {expected!r}")


_KNOWN = {"exists", "anything-but", "numeric", "prefix", "suffix", "equals-ignore-case", "wildcard"}


def _validate_matcher(matcher: Any) -> None:
    if not isinstance(matcher, Mapping):
        return
    if len(matcher) != 1 or next(iter(matcher)) not in _KNOWN:
        raise PatternError(f"unsupported pattern matcher {dict(matcher)!r}")
    name, argument = next(iter(matcher.items()))
    if name == "numeric" and (len(argument) % 2 or any(op not in _NUMERIC_OPS for op in argument[::2])):
        raise PatternError(f"malformed numeric matcher {argument!r}")
