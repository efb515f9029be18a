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
    choices_of,
    http_failure,
    json_body,
)
from aduan.models.outbound import OutboundMessage

API = "https://api.telegram.org"
LIMIT = 4096
KEYBOARD_BUTTONS = 7
CALLBACK_TEXT = 200


class TelegramSender:
    provider = "telegram"

    def build(self, message: OutboundMessage, credentials: Credentials, context: SendContext) -> ProviderRequest:
        token = credentials.get("bot_token", self.provider)
        if message.data.get("callback_query_id"):
            return self._answer_callback(message, token)
        body: dict[str, object] = {"chat_id": message.recipient, "text": message.text[:LIMIT],
                                   "link_preview_options": {"is_disabled": True}}
        buttons = choices_of(message, KEYBOARD_BUTTONS, title_limit=64)
        if buttons:
            # Inline keyboard: two answers on the first row, the scores on the second. A tap arrives as a
            # `callback_query` update carrying `callback_data`, which must be answered (answerCallbackQuery).
            keys = [{"text": title, "callback_data": answer[:64]} for title, answer in buttons]
            body["reply_markup"] = {"inline_keyboard": [keys[:2], keys[2:]] if len(keys) > 2 else [keys]}
        if (message.reply_to_provider_message_id or "").isdigit():
            body["reply_parameters"] = {"message_id": int(message.reply_to_provider_message_id or 0),
                                        "allow_sending_without_reply": True}
        return ProviderRequest(
            provider=self.provider, method="POST", url=f"{API}/bot<bot_token>/sendMessage",
            headers={"Content-Type": "application/json"}, body=json_body(body),
            secret_url=f"{API}/bot{token}/sendMessage",
        )

    def _answer_callback(self, message: OutboundMessage, token: str) -> ProviderRequest:
        """answerCallbackQuery: stops the button's spinner and shows the acknowledgement briefly."""
        body = {"callback_query_id": str(message.data["callback_query_id"]), "text": message.text[:CALLBACK_TEXT]}
        return ProviderRequest(
            provider=self.provider, method="POST", url=f"{API}/bot<bot_token>/answerCallbackQuery",
            headers={"Content-Type": "application/json"}, body=json_body(body),
            secret_url=f"{API}/bot{token}/answerCallbackQuery")

    def interpret(self, reply: Reply) -> SendResult:
        if reply.body.get("ok") is True:
            result = reply.body.get("result")  # a Message for sendMessage, `true` for answerCallbackQuery
            sent_id = result.get("message_id") if isinstance(result, dict) else None
            return SendResult("sent", provider_message_id=str(sent_id) if sent_id is not None else None)
        retry = (reply.body.get("parameters") or {}).get("retry_after")
        code = str(reply.body.get("error_code") or reply.status)
        description = reply.body.get("description")
        if retry:
            return SendResult("transient", error_code=code, error=description, retry_after=float(retry))
        # 403: the user blocked the bot or never started it; 400: chat not found. Both are for good.
        return http_failure(reply, frozenset({"400", "403"}), code, description)
