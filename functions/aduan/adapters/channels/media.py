"""Downloading citizens' photos, videos and files from the providers, so they outlive the providers'
short-lived links (WhatsApp media URLs last minutes, Meta CDN URLs expire, Telegram links an hour).

Each provider resolves a media reference differently:
- WhatsApp Cloud API: media id -> GET graph.facebook.com/<ver>/<id> (Bearer) -> {url} -> GET url (Bearer)
- Telegram: file_id -> getFile -> file_path -> GET api.telegram.org/file/bot<token>/<file_path>
- Twilio: the MediaUrl, with HTTP Basic auth (AccountSid:AuthToken) when media auth is on
- Messenger, Instagram, X, generic gateways: the https URL itself
- Email: the MIME part, from the stored message
"""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aduan.adapters.channels.base import Secrets
from aduan.models.inbound import MediaRef

MAX_BYTES = 25 * 1024 * 1024
TIMEOUT = 10


@dataclass(frozen=True)
class Downloaded:
    data: bytes
    content_type: str


HttpGet = Callable[[str, dict[str, str]], Downloaded]


class MediaUnavailable(Exception):
    pass


def http_get(url: str, headers: dict[str, str]) -> Downloaded:
    if not url.startswith("https://"):
        raise MediaUnavailable(f"refusing a non-https media URL: {url[:60]}")
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # https checked above
        data = answer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise MediaUnavailable("media larger than 25 MB")
        return Downloaded(data, answer.headers.get_content_type())


def fetch(provider: str, media: MediaRef, secrets: Secrets, get: HttpGet = http_get) -> Downloaded:
    if provider == "whatsapp":
        token = {"Authorization": f"Bearer {secrets.get('access_token', '')}"}
        version = secrets.get("graph_api_version", "v21.0")
        meta: dict[str, Any] = json.loads(get(f"https://graph.facebook.com/{version}/{media.ref}", token).data)
        found = get(str(meta["url"]), token)
        return Downloaded(found.data, str(meta.get("mime_type") or found.content_type))
    if provider == "telegram":
        bot = f"https://api.telegram.org/bot{secrets.get('bot_token', '')}"
        answer = json.loads(get(f"{bot}/getFile?file_id={media.ref}", {}).data)
        if not answer.get("ok"):
            raise MediaUnavailable(f"getFile failed: {answer.get('description')}")
        path = answer["result"]["file_path"]
        found = get(f"https://api.telegram.org/file/bot{secrets.get('bot_token', '')}/{path}", {})
        return Downloaded(found.data, media.mime_type or found.content_type)
    if provider == "twilio":
        pair = f"{secrets.get('account_sid', '')}:{secrets.get('auth_token', '')}".encode()
        found = get(media.ref, {"Authorization": "Basic " + base64.b64encode(pair).decode()})
        return Downloaded(found.data, media.mime_type or found.content_type)
    found = get(media.ref, {})
    return Downloaded(found.data, media.mime_type or found.content_type)
