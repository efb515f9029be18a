"""Execute a provider request: HTTPS with urllib (short timeouts) here; an AWS API call (SES, SNS) goes
through dal/provider_calls.py, the only place that may use boto3."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from aduan.adapters.senders.base import ProviderRequest, Reply
from aduan.dal.provider_calls import aws_call

TIMEOUT_SECONDS = 5.0


def execute(request: ProviderRequest, timeout: float | None = None) -> Reply:
    if request.aws_call is not None:
        return aws_call(*request.aws_call)
    http = urllib.request.Request(request.secret_url or request.url, data=request.body.encode(),
                                  headers={**request.headers, **request.secret_headers}, method=request.method)
    try:
        with urllib.request.urlopen(http, timeout=timeout or request.timeout or TIMEOUT_SECONDS) as response:
            return Reply(response.status, _parse(response.read()), headers=dict(response.headers.items()))
    except urllib.error.HTTPError as error:
        return Reply(error.code, _parse(error.read()), headers=dict(error.headers.items()))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return Reply(0, {"message": str(error)}, error_code="network")


def _parse(raw: bytes) -> dict[str, Any]:
    text = raw.decode("utf-8", "replace")
    try:
        parsed = json.loads(text) if text else {}
    except ValueError:
        parsed = dict(urllib.parse.parse_qsl(text)) or {"message": text[:500]}
    return parsed if isinstance(parsed, dict) else {"value": parsed}
