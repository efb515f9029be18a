"""Plain JSON-like values <-> DynamoDB attribute values (the low-level client's wire format)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _to_dynamo_types(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: _to_dynamo_types(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_to_dynamo_types(item) for item in value]
    return value


def _from_dynamo_types(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _from_dynamo_types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_dynamo_types(item) for item in value]
    return value


def to_item(document: dict[str, Any]) -> dict[str, Any]:
    """None values are dropped: DynamoDB indexes must not see NULL keys and absent means unset."""
    return {key: _serializer.serialize(_to_dynamo_types(value))
            for key, value in document.items() if value is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _from_dynamo_types(_deserializer.deserialize(value)) for key, value in item.items()}


def value(document: Any) -> dict[str, Any]:
    return dict(_serializer.serialize(_to_dynamo_types(document)))
