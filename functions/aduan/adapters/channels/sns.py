"""Amazon SNS HTTPS deliveries: message signature (v1 SHA1withRSA, v2 SHA256withRSA) over the
canonical string, with the signing certificate fetched only from an SNS host over HTTPS and cached."""

from __future__ import annotations

import base64
import re
import urllib.request
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from aduan.adapters.channels.base import SignatureInvalid
from aduan.observability import logger

_SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
_NOTIFICATION_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_SUBSCRIPTION_KEYS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")


def is_sns_url(url: str, suffix: str = "") -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(_SNS_HOST.match(parts.hostname or "")) and parts.path.endswith(suffix)


def canonical(message: dict[str, Any]) -> bytes:
    keys = _NOTIFICATION_KEYS if message.get("Type") == "Notification" else _SUBSCRIPTION_KEYS
    return "".join(f"{key}\n{message[key]}\n" for key in keys if message.get(key) is not None).encode()


@cache
def fetch_certificate(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=3) as answer:  # is_sns_url checked it first
        data: bytes = answer.read()
        return data


def confirm_subscription(url: str) -> None:
    """SNS SubscriptionConfirmation: visiting SubscribeURL confirms it (the caller checked it is an SNS URL)."""
    with urllib.request.urlopen(url, timeout=5) as answer:
        logger.info("SNS subscription confirmed", extra={"status": answer.status})


def verify(message: dict[str, Any], topics: list[str], local_certificates: dict[str, str] | None = None) -> None:
    """`local_certificates` (URL -> PEM) exists only in local mode's development secrets file."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    if message.get("TopicArn") not in topics:
        raise SignatureInvalid(f"topic {message.get('TopicArn')!r} is not one we subscribed to", status=403)
    url = str(message.get("SigningCertURL") or message.get("SigningCertUrl") or "")
    if not is_sns_url(url, ".pem"):
        raise SignatureInvalid("SigningCertURL is not an SNS certificate URL")
    algorithm = {"1": hashes.SHA1(), "2": hashes.SHA256()}.get(str(message.get("SignatureVersion")))
    if algorithm is None:
        raise SignatureInvalid("unknown SignatureVersion")
    try:
        signature = base64.b64decode(str(message.get("Signature") or ""), validate=True)
        pem = (local_certificates or {}).get(url)
        key = x509.load_pem_x509_certificate(pem.encode() if pem else fetch_certificate(url)).public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise SignatureInvalid("the signing certificate is not RSA")
        key.verify(signature, canonical(message), padding.PKCS1v15(), algorithm)
    except (InvalidSignature, ValueError) as error:
        raise SignatureInvalid(f"the SNS signature does not verify: {type(error).__name__}") from None
