"""One Logger, Metrics and Tracer per process (service name and namespace come from the template)."""

from __future__ import annotations

import warnings
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics

# A read-only request has no metric to publish; Powertools warns about that on every such request.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

logger = Logger()
metrics = Metrics()


@cache
def _tracer() -> Any:
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
