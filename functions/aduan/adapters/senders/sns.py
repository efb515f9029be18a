"""Amazon SNS `Publish`: SMS to a phone number, and mobile push to a platform endpoint (the contact's
address of an `app` identity is its endpoint ARN)."""

from __future__ import annotations

from typing import Any

from aduan.adapters.senders.base import (
    Credentials,
    Outcome,
    ProviderRequest,
    Reply,
    SendContext,
    SendResult,
    json_body,
)
from aduan.models.outbound import OutboundMessage

PERMANENT = frozenset({"InvalidParameter", "InvalidParameterValue", "EndpointDisabled", "OptedOut",
                       "NotFound", "AuthorizationError"})


def _request(provider: str, params: dict[str, Any], credentials: Credentials) -> ProviderRequest:
    region = credentials.values.get("region", "<region>")
    return ProviderRequest(provider=provider, method="POST", url=f"https://sns.{region}.amazonaws.com/",
                           headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "SNS.Publish"},
                           body=json_body(params), aws_call=("sns", "publish", params))


def _interpret(reply: Reply) -> SendResult:
    if reply.error_code is None and reply.body.get("MessageId"):
        return SendResult("sent", provider_message_id=str(reply.body["MessageId"]))
    kind: Outcome = "permanent" if reply.error_code in PERMANENT else "transient"
    return SendResult(kind, error_code=reply.error_code, error=str(reply.body.get("message") or ""))


class SnsSmsSender:
    provider = "sns_sms"

    def build(self, message: OutboundMessage, credentials: Credentials, context: SendContext) -> ProviderRequest:
        attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}
        if credentials.values.get("sender_id"):
            attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": credentials.values["sender_id"]}
        params = {"PhoneNumber": message.recipient, "Message": message.text[:1600], "MessageAttributes": attributes}
        return _request(self.provider, params, credentials)

    def interpret(self, reply: Reply) -> SendResult:
        return _interpret(reply)


class SnsPushSender:
    provider = "sns_push"

    def build(self, message: OutboundMessage, credentials: Credentials, context: SendContext) -> ProviderRequest:
        title = message.subject or message.tracking_code or "Aduan"
        data = {"tracking_code": message.tracking_code, "kind": message.kind}
        fcm = {"fcmV1Message": {"message": {"notification": {"title": title, "body": message.text[:1000]},
                                            "data": {k: v for k, v in data.items() if v}}}}
        apns = {"aps": {"alert": {"title": title, "body": message.text[:1000]}}, **data}
        payload = {"default": message.text[:1000], "GCM": json_body(fcm), "APNS": json_body(apns),
                   "APNS_SANDBOX": json_body(apns)}
        params = {"TargetArn": message.recipient, "MessageStructure": "json", "Message": json_body(payload)}
        return _request(self.provider, params, credentials)

    def interpret(self, reply: Reply) -> SendResult:
        return _interpret(reply)
