"""Intrinsic functions resolve against local physical resources."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.errors import LocalStackError
from infra.local.intrinsics import Resolver, Unresolved
from infra.local.registry import PhysicalResource, Registry

TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "Stage": {"Type": "String", "Default": "prod"},
        "OpsEmail": {"Type": "String", "Default": ""},
        "Zones": {"Type": "CommaDelimitedList", "Default": "a, b"},
    },
    "Conditions": {
        "HasOpsEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "OpsEmail"}, ""]}]},
        "IsLocal": {"Fn::Equals": [{"Ref": "Stage"}, "local"]},
    },
    "Mappings": {"Sizes": {"local": {"Memory": 256}}},
    "Resources": {"Table": {"Type": "AWS::DynamoDB::Table"}, "Queue": {"Type": "AWS::SQS::Queue"}},
}


def resolver(registry: Registry | None = None, **parameters: str) -> Resolver:
    pseudo = {"AWS::Region": "ap-southeast-3", "AWS::AccountId": "123456789012", "AWS::Partition": "aws"}
    return Resolver(TEMPLATE, {"Stage": "local", **parameters}, pseudo, registry or Registry())


def created() -> Registry:
    registry = Registry()
    registry.add(
        PhysicalResource(
            "Table",
            "AWS::DynamoDB::Table",
            "aduan-tickets-local",
            {
                "Arn": "arn:aws:dynamodb:ap-southeast-3:123456789012:table/aduan-tickets-local",
                "StreamArn": "arn:stream",
            },
        )
    )
    return registry


def test_refs_subs_and_get_atts() -> None:
    r = resolver(created())
    assert r.resolve({"Ref": "Table"}) == "aduan-tickets-local"
    assert r.resolve({"Ref": "Stage"}) == "local"
    assert r.resolve({"Fn::GetAtt": ["Table", "StreamArn"]}) == "arn:stream"
    assert r.resolve({"Fn::GetAtt": "Table.StreamArn"}) == "arn:stream"
    assert r.resolve({"Fn::Sub": "aduan-${Stage}-${AWS::AccountId}-${AWS::Region}"}) == (
        "aduan-local-123456789012-ap-southeast-3"
    )
    assert r.resolve({"Fn::Sub": "${Table.Arn}/index/*"}).endswith("table/aduan-tickets-local/index/*")
    assert r.resolve({"Fn::Sub": ["${Name}-x-${!Literal}", {"Name": {"Ref": "Table"}}]}) == (
        "aduan-tickets-local-x-${Literal}"
    )
    assert r.resolve({"Fn::Join": ["/", ["a", {"Ref": "Stage"}]]}) == "a/local"
    assert r.resolve({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]}) == "y"
    assert r.resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}) == 256
    assert r.resolve({"Ref": "Zones"}) == ["a", "b"]


def test_conditions_and_no_value() -> None:
    r = resolver()
    assert r.condition("IsLocal") and not r.condition("HasOpsEmail")
    assert resolver(OpsEmail="ops@example.id").condition("HasOpsEmail")
    value = {
        "A": {"Fn::If": ["HasOpsEmail", "yes", {"Ref": "AWS::NoValue"}]},
        "B": [1, {"Ref": "AWS::NoValue"}],
    }
    assert r.resolve(value) == {"B": [1]}


def test_missing_resources_and_unknown_names() -> None:
    r = resolver()
    with pytest.raises(Unresolved) as missing:
        r.resolve({"Fn::GetAtt": ["Queue", "Arn"]})
    assert missing.value.logical_id == "Queue"
    with pytest.raises(LocalStackError):
        r.resolve({"Ref": "Nope"})
    with pytest.raises(LocalStackError):
        resolver(created()).resolve({"Fn::GetAtt": ["Table", "NoSuchAttribute"]})
    with pytest.raises(LocalStackError):
        resolver(Unknown="1")
