"""Channel secrets (app secrets, tokens): one SecureString JSON parameter per channel in SSM
(`<prefix>/<channel>`), read with Powertools parameters and cached for five minutes. Local mode reads
`infra/local/channels.json` instead (development values, committed on purpose)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from aduan import settings
from aduan.observability import logger

CACHE_SECONDS = 300


def channel_secrets(channel: str) -> dict[str, Any]:
    local = settings.local_channel_secrets_file()
    if local:
        return dict(_local_file(local).get(channel) or {})
    from aws_lambda_powertools.utilities import parameters

    name = f"{settings.channel_secrets_prefix().rstrip('/')}/{channel}"
    try:
        value = parameters.get_parameter(name, transform="json", decrypt=True, max_age=CACHE_SECONDS)
    except parameters.exceptions.GetParameterError:
        logger.warning("no secrets parameter for the channel", extra={"parameter": name})
        return {}
    return dict(value) if isinstance(value, dict) else {}


@cache
def _local_file(path: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return document
