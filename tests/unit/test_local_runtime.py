"""In-process invocation: one shared environment, Lambda-like context, JSON in and out."""

from __future__ import annotations

import decimal
from typing import Any

import pytest

from infra.local.errors import LocalStackError
from infra.local.functions import FunctionSpec
from infra.local.runtime import FunctionError, LambdaContext, LambdaRuntime, merged_environment


def spec(logical_id: str, **environment: str) -> FunctionSpec:
    arn = f"arn:aws:lambda:ap-southeast-3:123456789012:function:fn-{logical_id}"
    return FunctionSpec(
        logical_id, f"fn-{logical_id}", arn, "mod.handler", environment, memory_mb=512, timeout_seconds=10
    )


def test_environments_merge_and_conflicts_are_errors() -> None:
    merged = merged_environment([spec("A", TABLE_NAME="t", X="1"), spec("B", TABLE_NAME="t", Y="2")])
    assert merged == {"TABLE_NAME": "t", "X": "1", "Y": "2"}
    with pytest.raises(LocalStackError, match="LOG_LEVEL"):
        merged_environment([spec("A", LOG_LEVEL="INFO"), spec("B", LOG_LEVEL="DEBUG")])


def test_context_looks_like_lambdas() -> None:
    context = LambdaContext(spec("A"), "ap-southeast-3")
    assert context.function_name == "fn-A" and context.memory_limit_in_mb == 512
    assert context.invoked_function_arn.endswith(":function:fn-A")
    assert context.aws_request_id and context.log_group_name == "/aws/lambda/fn-A"
    assert 9_000 < context.get_remaining_time_in_millis() <= 10_000


def test_invoke_passes_json_and_wraps_failures() -> None:
    seen: list[Any] = []

    def echo(event: Any, context: Any) -> Any:
        seen.append((event, context.function_name))
        return {"ok": event["n"] + 1}

    def fails(event: Any, context: Any) -> Any:
        raise ValueError("nope")

    def unserialisable(event: Any, context: Any) -> Any:
        return {"amount": decimal.Decimal("1.5")}  # Lambda cannot serialise this either

    runtime = LambdaRuntime(
        [spec("A"), spec("B"), spec("C")], "ap-southeast-3", {"A": echo, "B": fails, "C": unserialisable}
    )
    runtime.load()
    assert runtime.invoke("A", {"n": 1}) == {"ok": 2}
    assert seen == [({"n": 1}, "fn-A")]
    with pytest.raises(FunctionError, match="nope"):
        runtime.invoke("B", {})
    with pytest.raises(FunctionError, match="serialisable"):
        runtime.invoke("C", {})


def test_overrides_must_name_template_functions() -> None:
    with pytest.raises(LocalStackError):
        LambdaRuntime([spec("A")], "ap-southeast-3", {"Nope": lambda event, context: None})
