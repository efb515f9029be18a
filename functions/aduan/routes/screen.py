"""What the API refuses before routing and validation: bodies that are not JSON (415), too large (413),
not UTF-8, not JSON, or nested too deep (400). Powertools would answer some of these with a 500 (an
invalid byte sequence, 10,000 nested arrays, a 5,000-digit number) and parse others as if they were JSON."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aduan.logic.errors import BadBody, PayloadTooLarge, UnsupportedMediaType
from aduan.models.limits import limits

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
FORM_PREFIXES = ("/open311/",)  # GeoReport v2 posts application/x-www-form-urlencoded


def header(event: dict[str, Any], name: str) -> str:
    """A request header whatever the case API Gateway kept it in."""
    wanted = name.lower()
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == wanted and value:
            return str(value)
    for key, values in (event.get("multiValueHeaders") or {}).items():
        if key.lower() == wanted and values:
            return str(values[0])
    return ""


def is_json_type(content_type: str) -> bool:
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in params.split(";")
                    if p.strip().lower().startswith("charset=")), "utf-8")
    return (media == "application/json" or (media.startswith("application/") and media.endswith("+json"))) \
        and charset in ("utf-8", "utf8")


def raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise BadBody("the body is marked base64 but is not") from None
    try:
        return body.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        raise BadBody("the body is not valid UTF-8") from None


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def check(event: dict[str, Any]) -> None:
    """Raise the refusal for a body the API will not parse; the body itself is left for the route."""
    rules = limits().request
    data = raw_body(event)
    if len(data) > rules.body_bytes:
        raise PayloadTooLarge(f"the body is {len(data)} bytes; at most {rules.body_bytes} are accepted",
                              details={"max_bytes": rules.body_bytes})
    method = str(event.get("httpMethod") or "").upper()
    path = str(event.get("path") or "")
    if method not in BODY_METHODS or path.startswith(FORM_PREFIXES):
        return
    content_type = header(event, "content-type")
    if not data.strip() and not content_type:
        return  # no body at all: the route's validation says what is missing
    if not is_json_type(content_type):
        raise UnsupportedMediaType(f"send JSON (Content-Type: application/json), not {content_type or 'nothing'}",
                                   details={"content_type": content_type[:100] or None})
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadBody(f"the body is not valid UTF-8 (byte {exc.start})") from None
    if text.count("[") + text.count("{") > rules.json_depth and _too_deep_raw(text, rules.json_depth):
        raise BadBody(f"JSON nested deeper than {rules.json_depth} levels", code="too_deep")
    try:
        document = json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError; so are 5,000-digit numbers
        raise BadBody(f"the body is not valid JSON: {str(exc)[:200]}") from None
    del document  # parsed again by the route: the point here was that it parses


def _too_deep_raw(text: str, limit: int) -> bool:
    """Brackets outside strings nested past `limit`: caught before json.loads recurses into them."""
    level, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            level += 1
            if level > limit:
                return True
        elif char in "]}":
            level -= 1
    return False
