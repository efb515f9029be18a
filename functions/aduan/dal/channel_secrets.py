"""Provider credentials: one SSM SecureString per provider, JSON, at `<CHANNEL_SECRETS_PREFIX><provider>`
(e.g. `/aduan/prod/channels/whatsapp` = {"access_token": …, "phone_number_id": …}). Read through
Powertools parameters with decryption and a five-minute cache; a missing one is remembered as missing too."""

from __future__ import annotations

import time
from functools import cache
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


def credentials(provider: str) -> dict[str, str] | None:
    name = f"{settings.channel_secrets_prefix()}{provider}"
    if time.monotonic() - _missing.get(name, -MAX_AGE_SECONDS) < MAX_AGE_SECONDS:
        return None
    try:
        value: Any = _provider().get(name, decrypt=True, transform="json", max_age=MAX_AGE_SECONDS)
    except (GetParameterError, TransformParameterError):
        _missing[name] = time.monotonic()
        return None
    return {str(key): str(item) for key, item in (value or {}).items()}


def reset() -> None:
    _provider.cache_clear()
    _missing.clear()
