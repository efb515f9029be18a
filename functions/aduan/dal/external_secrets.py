"""HMAC keys of the external bodies that answer forwarded complaints by signed callback: one SSM
SecureString per body at `<EXTERNAL_SECRETS_PREFIX><agency id>`, read with decryption and cached for
five minutes (a missing one is remembered as missing too)."""

from __future__ import annotations

import os
import time
from functools import cache
from typing import TYPE_CHECKING

from aduan.dal.clients import client

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SSMProvider

MAX_AGE_SECONDS = 300
_missing: dict[str, float] = {}


@cache
def _provider() -> SSMProvider:
    # Powertools' parameters package is ~20 modules (every provider): the API handler imports this module
    # for one route, the external answer callback, so only that route's first call pays for them.
    from aws_lambda_powertools.utilities.parameters import SSMProvider

    return SSMProvider(boto3_client=client("ssm"))


def callback_key(agency_id: str) -> bytes | None:
    prefix = os.environ.get("EXTERNAL_SECRETS_PREFIX", "")
    if not prefix:
        return None
    name = f"{prefix.rstrip('/')}/{agency_id}"
    if time.monotonic() - _missing.get(name, -MAX_AGE_SECONDS) < MAX_AGE_SECONDS:
        return None
    provider = _provider()
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        value = provider.get(name, decrypt=True, max_age=MAX_AGE_SECONDS)
    except GetParameterError:
        _missing[name] = time.monotonic()
        return None
    return str(value).encode() if value else None


def reset() -> None:
    _provider.cache_clear()
    _missing.clear()
