"""One Logger, Metrics and Tracer per process (service name and namespace come from the template)."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# A read-only request has no metric to publish; Powertools warns about that on every such request.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

logger = Logger()
metrics = Metrics()
# Patch only botocore: the AWS calls are what we trace, and patching every library X-Ray knows
# costs cold-start time for modules we never call.
tracer = Tracer(patch_modules=["botocore"])
