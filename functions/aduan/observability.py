"""One Logger, Metrics and Tracer per process (service name and namespace come from the template)."""

from __future__ import annotations

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


@cache
def _tracer() -> Any:
    if not tracing_enabled():
        return _Untraced()
    from aws_lambda_powertools import Tracer

    # Patch only botocore: the AWS calls are what we trace, and patching every library X-Ray knows
    # costs cold-start time for modules we never call.
    return Tracer(patch_modules=["botocore"])


def __getattr__(name: str) -> Any:
    # `tracer` is built on first import by name: the X-Ray SDK costs ~100 modules of cold start, which a
    # function that traces only through Lambda's active tracing (the event relay) should not pay.
    if name == "tracer":
        return _tracer()
    raise AttributeError(name)
