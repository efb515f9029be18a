"""Meta's Graph API, as WhatsApp Cloud and the Messenger/Instagram Send API share it: the same versioned
`/<node>/messages` URL, a JSON body and the page's or number's access token as a bearer header."""

from __future__ import annotations

from typing import Any

from aduan.adapters.senders.base import Credentials, ProviderRequest, Reply, json_body

GRAPH = "https://graph.facebook.com"
DEFAULT_VERSION = "v21.0"


def messages_url(credentials: Credentials, provider: str, node: str) -> str:
    """`node` names the credential holding the sending id (`phone_number_id`, `page_id`). Read before the
    body is built, so a missing id is the error reported first."""
    version = credentials.values.get("api_version") or DEFAULT_VERSION
    return f"{GRAPH}/{version}/{credentials.get(node, provider)}/messages"


def graph_request(provider: str, url: str, body: dict[str, object], credentials: Credentials) -> ProviderRequest:
    return ProviderRequest(
        provider=provider, method="POST", url=url,
        headers={"Content-Type": "application/json"}, body=json_body(body),
        secret_headers={"Authorization": f"Bearer {credentials.get('access_token', provider)}"},
    )


def graph_error(reply: Reply) -> dict[str, Any]:
    """Graph puts every failure under `error` (`code`, `error_subcode`, `message`, …)."""
    return reply.body.get("error") or {}
