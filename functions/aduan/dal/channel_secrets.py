"""Provider credentials and webhook secrets: one SSM SecureString per provider, JSON, at
`<CHANNEL_SECRETS_PREFIX><provider>` (e.g. `/aduan/prod/channels/whatsapp` = {"access_token": …,
"app_secret": …, "verify_token": …}). Read through Powertools parameters with decryption and a
five-minute cache; a missing one is remembered as missing too. In local mode (LOCAL_CHANNEL_SECRETS) the
webhook secrets come from `infra/local/channels.json` instead: development values, committed on purpose."""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.parameters import SSMProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError, TransformParameterError

from aduan import settings
from aduan.dal.clients import client

MAX_AGE_SECONDS = 300
_missing: dict[str, float] = {}


@cache
def _provider() -> SSMProvider:
    return SSMProvider(boto3_client=client("ssm"))


def _document(provider: str) -> dict[str, Any] | None:
    name = f"{settings.channel_secrets_prefix().rstrip('/')}/{provider}"
    if time.monotonic() - _missing.get(name, -MAX_AGE_SECONDS) < MAX_AGE_SECONDS:
        return None
    try:
        value: Any = _provider().get(name, decrypt=True, transform="json", max_age=MAX_AGE_SECONDS)
    except (GetParameterError, TransformParameterError):
        _missing[name] = time.monotonic()
        return None
    return dict(value) if isinstance(value, dict) else None


def credentials(provider: str) -> dict[str, str] | None:
    """Flat string credentials for sending (None: not configured; local mode then keeps the request in
    its outbox, so the development file's webhook secrets are deliberately not used here)."""
    found = _document(provider)
    return {str(key): str(item) for key, item in found.items()} if found is not None else None


def channel_secrets(channel: str) -> dict[str, Any]:
    """The channel's webhook secrets as configured (lists and maps kept), {} when not configured."""
    local = settings.local_channel_secrets_file()
    if local:
        found = _local_file(local).get(channel)
        return dict(found) if isinstance(found, dict) else {}
    return _document(channel) or {}


@cache
def _local_file(path: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return document


def reset() -> None:
    _provider.cache_clear()
    _local_file.cache_clear()
    _missing.clear()
