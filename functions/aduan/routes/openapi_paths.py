"""Operations the generated document cannot describe by itself: the providers' webhooks (served by
WebhooksFunction) and Open311 GeoReport v2 (its own formats and error shape). Hand-written, checked by
the schemathesis run in `make test`."""

from __future__ import annotations

from typing import Any

OPEN311_ERRORS = {"type": "array", "items": {"type": "object", "properties": {
    "code": {"type": "integer"}, "description": {"type": "string"}}}}
OPEN311_CONTENT = {"application/json": {"schema": {"oneOf": [{"type": "array"}, {"type": "object"}]}},
                   "text/xml": {"schema": {"type": "string"}}}
OPEN311_ERROR_CONTENT = {"application/json": {"schema": OPEN311_ERRORS}, "text/xml": {"schema": {"type": "string"}}}


def _resource(description: str) -> dict[str, Any]:
    return {"name": "resource", "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "maxLength": 100, "pattern": r"^[A-Za-z0-9_.\-]+\.(json|xml)$"}}


def _open311(summary: str, resource: str, *, post: bool = False) -> dict[str, Any]:
    responses = {"201" if post else "200": {"description": "The answer in the requested format",
                                            "content": OPEN311_CONTENT}}
    errors = {"400": "Missing or invalid parameter", "403": "api_key missing or not valid",
              "404": "No such resource, service or request", "429": "Too many requests from this sender"}
    for status, text in errors.items():
        if post or status in ("400", "404"):
            responses[status] = {"description": text, "content": OPEN311_ERROR_CONTENT}
    operation: dict[str, Any] = {"tags": ["open311"], "summary": summary, "security": [],
                                 "parameters": [_resource(resource), {
                                     "name": "jurisdiction_id", "in": "query", "required": False,
                                     "schema": {"type": "string", "maxLength": 100}}],
                                 "responses": responses}
    if post:
        form = {"type": "object", "required": ["api_key", "service_code"], "properties": {
            name: {"type": "string", "maxLength": 5000} for name in (
                "api_key", "service_code", "lat", "long", "address_string", "email", "phone", "device_id",
                "account_id", "first_name", "last_name", "description", "media_url")}}
        operation["requestBody"] = {"required": True,
                                    "content": {"application/x-www-form-urlencoded": {"schema": form}}}
    return operation


def open311_paths() -> dict[str, Any]:
    base = "/open311/v2"
    return {
        f"{base}/{{resource}}": {
            "get": {**_open311("discovery.json, services.json or requests.json (or .xml)", "discovery.json"),
                    "operationId": "open311_collection"},
            "post": {**_open311("POST requests.json: file a service request", "requests.json", post=True),
                     "operationId": "open311_create"}},
        f"{base}/services/{{resource}}": {"get": {**_open311("A service definition", "jalan-rusak.json"),
                                                   "operationId": "open311_definition"}},
        f"{base}/requests/{{resource}}": {"get": {**_open311("One service request", "ADU-7K3Q-9G.json"),
                                                   "operationId": "open311_request"}},
        f"{base}/tokens/{{resource}}": {"get": {**_open311("A token's service request id", "token.json"),
                                                 "operationId": "open311_token"}},
    }


def webhook_paths(channels: list[str]) -> dict[str, Any]:
    """POST for every provider; GET for the subscription handshakes (Meta's hub.*, X's CRC)."""
    def query(*names: str) -> list[dict[str, Any]]:
        schemas = {"hub.mode": {"type": "string", "enum": ["subscribe"]}}
        return [{"name": name, "in": "query", "required": True,
                 "schema": schemas.get(name, {"type": "string", "minLength": 1, "maxLength": 500})} for name in names]

    def channel(names: list[str]) -> dict[str, Any]:
        return {"name": "channel", "in": "path", "required": True, "schema": {"type": "string", "enum": names}}

    text = {"text/plain": {"schema": {"type": "string"}}, "application/json": {"schema": {}}}
    handshake = {"200": {"description": "The challenge answered", "content": text},
                 "400": {"description": "Not a handshake the provider would send", "content": text}}
    meta = sorted(name for name in channels if name in ("whatsapp", "messenger", "instagram"))
    return {
        "/webhooks/{channel}": {
            "get": {"tags": ["webhooks"], "summary": "Meta's subscription handshake (hub.challenge)",
                    "operationId": "webhook_handshake", "security": [],
                    "parameters": [channel(meta), *query("hub.mode", "hub.verify_token", "hub.challenge")],
                    "responses": dict(handshake)},
            "post": {"tags": ["webhooks"], "operationId": "webhook_receive", "security": [],
                     "parameters": [channel(channels)],
                     "summary": "A provider's signed delivery (signature per provider: docs/channels.md)",
                     "requestBody": {"required": True, "content": {
                         "application/json": {"schema": {}}, "application/x-www-form-urlencoded": {"schema": {}}}},
                     "responses": {"200": {"description": "Accepted, or kept aside when authentic but unusable "
                                                          "(acknowledged so the provider does not redeliver)",
                                           "content": text}}}},
        "/webhooks/x": {
            "get": {"tags": ["webhooks"], "summary": "X's challenge-response check (CRC)",
                    "operationId": "webhook_x_crc", "security": [], "parameters": query("crc_token"),
                    "responses": dict(handshake)}},
    }
