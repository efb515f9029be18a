"""Telegram Bot API `sendMessage`. The bot token is part of the URL, so the shown URL masks it.

Plain text (no `parse_mode`): nothing in a citizen's or officer's words can be read as markup.
"""

from __future__ import annotations

from aduan.adapters.senders.base import (
    Credentials,
    ProviderRequest,
    Reply,
    SendContext,
    SendResult,
    http_failure,
    json_body,
)
from aduan.models.outbound import OutboundMessage

API = "https://api.telegram.org"
LIMIT = 4096


class TelegramSender:
    provider = "telegram"

    def build(self, message: OutboundMessage, credentials: Credentials, context: SendContext) -> ProviderRequest:
        token = credentials.get("bot_token", self.provider)
        body: dict[str, object] = {"chat_id": message.recipient, "text": message.text[:LIMIT],
                                   "link_preview_options": {"is_disabled": True}}
        if (message.reply_to_provider_message_id or "").isdigit():
            body["reply_parameters"] = {"message_id": int(message.reply_to_provider_message_id or 0),
                                        "allow_sending_without_reply": True}
        return ProviderRequest(
            provider=self.provider, method="POST", url=f"{API}/bot<bot_token>/sendMessage",
            headers={"Content-Type": "application/json"}, body=json_body(body),
            secret_url=f"{API}/bot{token}/sendMessage",
        )

    def interpret(self, reply: Reply) -> SendResult:
        if reply.body.get("ok") is True:
            return SendResult("sent", provider_message_id=str((reply.body.get("result") or {}).get("message_id")))
        retry = (reply.body.get("parameters") or {}).get("retry_after")
        code = str(reply.body.get("error_code") or reply.status)
        description = reply.body.get("description")
        if retry:
            return SendResult("transient", error_code=code, error=description, retry_after=float(retry))
        # 403: the user blocked the bot or never started it; 400: chat not found. Both are for good.
        return http_failure(reply, frozenset({"400", "403"}), code, description)
