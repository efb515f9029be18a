"""The signed answer callback of a body we forwarded a complaint to: the signature check, pure.

The body signs `<timestamp>.<raw body>` with HMAC-SHA256 and its key, and sends
`X-Aduan-Timestamp: <unix seconds>` and `X-Aduan-Signature: sha256=<hex>`. A timestamp more than five
minutes away from our clock is refused, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

MAX_SKEW_SECONDS = 300
PREFIX = "sha256="


def sign(key: bytes, timestamp: str, body: bytes) -> str:
    return PREFIX + hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def problem(key: bytes, timestamp: str | None, signature: str | None, body: bytes, now: datetime) -> str | None:
    """None when the request is authentic and fresh; else what is wrong (for the 401 message)."""
    if not timestamp or not signature:
        return "X-Aduan-Timestamp and X-Aduan-Signature are required"
    if not timestamp.isdigit():
        return "X-Aduan-Timestamp must be Unix seconds"
    if abs(now.timestamp() - int(timestamp)) > MAX_SKEW_SECONDS:
        return "X-Aduan-Timestamp is more than five minutes from our clock"
    if not hmac.compare_digest(sign(key, timestamp, body), signature.strip()):
        return "the signature does not match the body"
    return None
