"""X API v2 direct message: `POST https://api.x.com/2/dm_conversations/with/{participant_id}/messages` with
`{"text": …}`, authorised by an OAuth 2.0 user-context token (scope `dm.write`) of the city's account.

The recipient is the citizen's X user id (channel intake files both DMs and mentions under it), so a
mention is answered by DM too: a public reply would show a citizen's complaint to everyone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aduan.adapters.senders.base import (
    Credentials,
    ProviderRequest,
    Reply,
    SendContext,
    SendResult,
    http_failure,
    json_body,
)
from aduan.logic import clock
from aduan.models.outbound import OutboundMessage

API = "https://api.x.com/2"
LIMIT = 10_000  # characters per DM


class XSender:
    provider = "x"

    def build(self, message: OutboundMessage, credentials: Credentials, context: SendContext) -> ProviderRequest:
        token = credentials.get("user_access_token", self.provider)
        return ProviderRequest(
            provider=self.provider, method="POST", url=f"{API}/dm_conversations/with/{message.recipient}/messages",
            headers={"Content-Type": "application/json"}, body=json_body({"text": message.text[:LIMIT]}),
            secret_headers={"Authorization": f"Bearer {token}"},
        )

    def interpret(self, reply: Reply) -> SendResult:
        data = reply.body.get("data") or {}
        if 200 <= reply.status < 300 and data.get("dm_event_id"):
            return SendResult("sent", provider_message_id=str(data["dm_event_id"]))
        code, detail = _problem(reply.body)
        # 401/403 (token revoked, the citizen does not accept DMs from us) and other 4xx are permanent:
        # the next known channel is tried; 429 and 5xx are transient.
        result = http_failure(reply, frozenset(), code or str(reply.status), detail)
        reset = _rate_limit_wait(reply)
        return replace(result, retry_after=reset) if reply.status == 429 and reset is not None else result


def _problem(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """X's errors are RFC 7807 problems (`type`, `title`, `detail`), sometimes with an `errors` list."""
    errors = body.get("errors") or [{}]
    first = errors[0] if isinstance(errors[0], dict) else {}
    kind = str(body.get("type") or first.get("type") or "")
    # e.g. "https://api.twitter.com/2/problems/usage-capped" -> "usage-capped"; "about:blank" says nothing
    code = kind.rstrip("/").rsplit("/", 1)[-1] if "/" in kind else None
    return code, body.get("detail") or first.get("message") or first.get("detail") or body.get("title")


def _rate_limit_wait(reply: Reply) -> float | None:
    """Seconds until `x-rate-limit-reset` (unix seconds of the window's reset); X sends no Retry-After."""
    reset = next((value for key, value in reply.headers.items() if key.lower() == "x-rate-limit-reset"), None)
    try:
        return max(1.0, float(reset) - clock.now().timestamp()) if reset else None
    except ValueError:
        return None
