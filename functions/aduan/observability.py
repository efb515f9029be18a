"""One Logger, Metrics and Tracer per process (service name and namespace come from the template)."""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics

# A read-only request has no metric to publish; Powertools warns about that on every such request.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

logger = Logger()
# The template sets the namespace; the default keeps metrics publishable when this module is imported
# before the environment is (a test collecting a service module, a script), instead of failing every flush.
metrics = Metrics(namespace=os.getenv("POWERTOOLS_METRICS_NAMESPACE") or "Aduan")


def tracing_enabled() -> bool:
    """Powertools' own rule: traced only inside Lambda (not SAM CLI local) and not switched off by
    POWERTOOLS_TRACE_DISABLED (set it on a function whose template Tracing is not Active)."""
    if os.getenv("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in ("1", "true", "yes", "on", "y", "t"):
        return False
    local = os.getenv("AWS_SAM_LOCAL", "")  # Powertools also checks Chalice, which this project does not use
    return bool(os.getenv("LAMBDA_TASK_ROOT")) and not local


class _Untraced:
    """What a handler sees of the tracer when tracing is off: its decorators hand the function back as it is.
    Powertools' disabled Tracer still imports the X-Ray SDK (~90 modules with asyncio and wrapt)."""

    def capture_lambda_handler(self, function: Callable[..., Any]) -> Callable[..., Any]:
        return function

    def capture_method(self, function: Callable[..., Any]) -> Callable[..., Any]:
        return function


def trace_sampled() -> bool:
    """Whether this invocation's trace is recorded: Lambda puts the trace header in `_X_AMZN_TRACE_ID` for
    each invocation, and the X-Ray SDK records subsegments only under a header with a Root, a Parent and
    Sampled=1 (for any other header it hands out dummy subsegments that are never sent)."""
    parts = (part.strip().partition("=") for part in os.getenv("_X_AMZN_TRACE_ID", "").split(";"))
    fields = {key: value for key, _, value in parts}
    return fields.get("Sampled") == "1" and bool(fields.get("Root")) and bool(fields.get("Parent"))


class _TracedWhenSampled:
    """Powertools' Tracer, built (and the X-Ray SDK imported, ~60-90 modules) on the first invocation whose
    trace is sampled, not at import: an unsampled invocation records nothing with or without the SDK, so a
    container whose invocations are not sampled never pays for it. Once built it traces every later
    invocation as Powertools always does (botocore patched, the SDK deciding per invocation)."""

    def __init__(self) -> None:
        self.powertools: Any = None
        self.invoked = False  # a handler of this process has run: a tracer built now is not on a cold start

    def capture_lambda_handler(self, function: Callable[..., Any]) -> Callable[..., Any]:
        traced: Callable[..., Any] | None = None

        @functools.wraps(function)
        def handler(event: Any, context: Any, **kwargs: Any) -> Any:
            nonlocal traced
            if traced is None and trace_sampled():
                traced = self._build().capture_lambda_handler(function)
            self.invoked = True
            return (traced or function)(event, context, **kwargs)

        return handler

    def capture_method(self, function: Callable[..., Any]) -> Callable[..., Any]:
        traced: Callable[..., Any] | None = None

        @functools.wraps(function)
        def method(*args: Any, **kwargs: Any) -> Any:
            nonlocal traced
            if traced is None and self.powertools is not None:
                traced = self.powertools.capture_method(function)
            return (traced or function)(*args, **kwargs)

        return method

    def _build(self) -> Any:
        if self.powertools is None:
            from aws_lambda_powertools import Tracer
            from aws_lambda_powertools.tracing import tracer as powertools_tracing

            if self.invoked:
                # Powertools annotates ColdStart=true on the first invocation it sees: here a warm one.
                powertools_tracing.is_cold_start = False
            # Patch only botocore: the AWS calls are what we trace, and patching every library X-Ray knows
            # costs modules we never call.
            self.powertools = Tracer(patch_modules=["botocore"])
        return self.powertools


@cache
def _tracer() -> Any:
    return _TracedWhenSampled() if tracing_enabled() else _Untraced()


def __getattr__(name: str) -> Any:
    # `tracer` is resolved on first import by name, once the environment (tracing on or off) is known.
    if name == "tracer":
        return _tracer()
    raise AttributeError(name)
