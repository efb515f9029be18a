"""Providers' webhook payloads in their real shapes, signed as each provider signs them.

Used three ways: `python -m infra.channel_samples --write` regenerates `events/webhooks/*.json`
(API Gateway events) and `events/intake/*.json` (SQS FIFO events) with the development secrets of
`infra/local/channels.json`; the tests sign known-good and forged requests with `signed_headers`;
and anyone can sign a request against `make local` (see docs/channels.md).

Signing here is written from the providers' documentation, independently of the adapters' checks.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

REPO = Path(__file__).resolve().parents[1]
SECRETS_FILE = REPO / "infra" / "local" / "channels.json"
EVENTS = REPO / "events"
SAMPLE_BASE_URL = "https://a1b2c3d4e5.execute-api.ap-southeast-3.amazonaws.com/prod"
SAMPLE_TIME = 1795421400  # 2026-11-23T08:10:00Z
PHONE = "6281234567890"
WABA = {"display_phone_number": "6282140001111", "phone_number_id": "106540352242922"}


def dev_secrets() -> dict[str, Any]:
    secrets: dict[str, Any] = json.loads(SECRETS_FILE.read_text(encoding="utf-8"))
    return secrets


# ------------------------------------------------------------------ payloads
def whatsapp(value: dict[str, Any]) -> dict[str, Any]:
    value = {"messaging_product": "whatsapp", "metadata": WABA, **value}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}]}


def whatsapp_message(message: dict[str, Any], name: str = "Sari Wulandari", phone: str = PHONE) -> dict[str, Any]:
    return whatsapp({"contacts": [{"profile": {"name": name}, "wa_id": phone}],
                     "messages": [{"from": phone, "timestamp": str(SAMPLE_TIME), **message}]})


WHATSAPP_TEXT = whatsapp_message({
    "id": "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBDNzlGMUE4RTlCNjdGRDFCMEQA", "type": "text",
    "text": {"body": "Selamat pagi, ada lubang besar di Jl. Pandanaran depan toko oleh-oleh, sangat berbahaya "
                     "untuk pengendara motor. Mohon segera diperbaiki."}})
WHATSAPP_IMAGE = whatsapp_message({
    "id": "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA0QjE5MkU0NDhFRkY4QzE2RkMA", "type": "image",
    "image": {"caption": "Ini fotonya", "mime_type": "image/jpeg",
              "sha256": "HQ5+M5ccbjhqzsJ6u0sSKb2OQ3RZkW8yK8Xt5zIV9cQ=", "id": "1203467351240936"}})
WHATSAPP_LOCATION = whatsapp_message({
    "id": "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA5RDQ2OTVFQTE4N0YzNkQ1QUIA", "type": "location",
    "location": {"latitude": -6.9875, "longitude": 110.412, "name": "Toko Oleh-oleh Pandanaran",
                 "address": "Jl. Pandanaran No. 45, Semarang Tengah"}})
WHATSAPP_STATUS = whatsapp({"statuses": [{
    "id": "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEkY4QjNBRTI1RjQ1QTYwQjAzRQA=", "status": "delivered",
    "timestamp": str(SAMPLE_TIME + 5), "recipient_id": PHONE,
    "conversation": {"id": "4c2f7e1a9b0d3e5f6a7b8c9d0e1f2a3b", "origin": {"type": "service"}},
    "pricing": {"billable": True, "pricing_model": "PMP", "category": "service", "type": "regular"}}]})


def telegram_update(update_id: int, message: dict[str, Any]) -> dict[str, Any]:
    user = {"id": 5012345678, "is_bot": False, "first_name": "Budi", "last_name": "Santoso",
            "username": "budisantoso", "language_code": "id"}
    chat = {"id": 5012345678, "first_name": "Budi", "last_name": "Santoso", "username": "budisantoso",
            "type": "private"}
    return {"update_id": update_id, "message": {"from": user, "chat": chat, "date": SAMPLE_TIME, **message}}


TELEGRAM_TEXT = telegram_update(734512001, {
    "message_id": 311,
    "text": "Lampu penerangan jalan di Jl. Setiabudi mati sejak 3 hari, gelap sekali di malam hari."})
TELEGRAM_PHOTO = telegram_update(734512002, {
    "message_id": 312, "caption": "Foto lampu yang mati",
    "photo": [
        {"file_id": "AgACAgUAAxkBAAIBN2dH1_small", "file_unique_id": "AQADwbsxG1_s", "file_size": 1311,
         "width": 90, "height": 67},
        {"file_id": "AgACAgUAAxkBAAIBN2dH1_large", "file_unique_id": "AQADwbsxG1_y", "file_size": 98304,
         "width": 1280, "height": 960}]})
TELEGRAM_LOCATION = telegram_update(734512003, {
    "message_id": 313, "location": {"latitude": -7.0512, "longitude": 110.4381, "horizontal_accuracy": 12.5}})


TWILIO_ACCOUNT = "ACdev00000000000000000000000000000"
TWILIO_SMS = [
    ("ToCountry", "ID"), ("ToState", ""), ("SmsMessageSid", "SM1f0e8ae6ade43cb3c0ce4525424e404f"),
    ("NumMedia", "0"), ("ToCity", ""), ("FromZip", ""), ("SmsSid", "SM1f0e8ae6ade43cb3c0ce4525424e404f"),
    ("FromState", ""), ("SmsStatus", "received"), ("FromCity", ""),
    ("Body", "Got mampet di Jl. Majapahit depan pasar, air meluber ke jalan kalau hujan. Mohon dibersihkan."),
    ("FromCountry", "ID"), ("To", "+6224123456"), ("ToZip", ""), ("NumSegments", "1"),
    ("MessageSid", "SM1f0e8ae6ade43cb3c0ce4525424e404f"), ("AccountSid", TWILIO_ACCOUNT),
    ("From", "+6281398765432"), ("ApiVersion", "2010-04-01"),
]
TWILIO_WHATSAPP_IMAGE = [
    ("SmsMessageSid", "MM5e4b8f6a2f0c47d2a8e1d5c9b3a7f601"), ("NumMedia", "1"), ("ProfileName", "Rina"),
    ("MessageType", "image"), ("SmsSid", "MM5e4b8f6a2f0c47d2a8e1d5c9b3a7f601"), ("WaId", "6281398760000"),
    ("SmsStatus", "received"), ("Body", "Pohon tumbang menutup jalan di Jl. Sriwijaya"),
    ("To", "whatsapp:+14155238886"),
    ("MediaContentType0", "image/jpeg"), ("NumSegments", "1"), ("ReferralNumMedia", "0"),
    ("MessageSid", "MM5e4b8f6a2f0c47d2a8e1d5c9b3a7f601"), ("AccountSid", TWILIO_ACCOUNT),
    ("From", "whatsapp:+6281398760000"),
    ("MediaUrl0", f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Messages/"
                  "MM5e4b8f6a2f0c47d2a8e1d5c9b3a7f601/Media/ME0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a"),
    ("ApiVersion", "2010-04-01"),
]
TWILIO_STATUS = [
    ("SmsSid", "SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"), ("SmsStatus", "undelivered"),
    ("MessageStatus", "undelivered"), ("To", "+6281398765432"), ("MessageSid", "SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"),
    ("AccountSid", TWILIO_ACCOUNT), ("From", "+6224123456"), ("ApiVersion", "2010-04-01"),
    ("ErrorCode", "30003"), ("ErrorMessage", "Unreachable destination handset"),
]


def messenger_event(page_object: str, sender: str, message: dict[str, Any]) -> dict[str, Any]:
    page = "109876543210987" if page_object == "page" else "17841400000000001"
    return {"object": page_object, "entry": [{"id": page, "time": SAMPLE_TIME * 1000 + 120, "messaging": [{
        "sender": {"id": sender}, "recipient": {"id": page}, "timestamp": SAMPLE_TIME * 1000 + 87,
        "message": message}]}]}


MESSENGER_TEXT = messenger_event("page", "6789012345678901", {
    "mid": "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P",
    "text": "Pak, lampu lalu lintas di simpang Kalibanteng mati sejak pagi, macet parah."})
INSTAGRAM_IMAGE = messenger_event("instagram", "7012345678901234", {
    "mid": "aWdfZAG1faWRfMTc4NDE0MDAwMDAwMDAwMDE6MzQwMjgyMzY2ODQxNzEwMzAxMjQ0Mjc2MDk0Mzk3ODM2NTQyNjg1",
    "text": "Sampah menumpuk di taman Tirto Agung, sudah seminggu tidak diangkut.",
    "attachments": [{"type": "image", "payload": {
        "url": "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17952345678901234&signature=AbzXy"}}]})
GENERIC_SMS = {
    "id": "smsgw-20261123-000451", "channel": "sms",
    "sender": {"address": "081234500001", "name": None},
    "text": "Banjir setinggi lutut di Jl. Kaligawe, kendaraan tidak bisa lewat.",
    "sent_at": "2026-11-23T15:09:58+07:00",
}


EMAIL_TOPIC = "arn:aws:sns:ap-southeast-3:123456789012:aduan-inbound-email-local"
SNS_CERT_URL = "https://sns.ap-southeast-3.amazonaws.com/SimpleNotificationService-aduan-local.pem"
EMAIL_MIME = (
    "Return-Path: <dewi.lestari@example.co.id>\r\n"
    "From: Dewi Lestari <dewi.lestari@example.co.id>\r\n"
    "To: aduan@semarangkota.go.id\r\n"
    "Subject: Trotoar rusak di Jl. Pemuda\r\n"
    "Date: Mon, 23 Nov 2026 15:05:11 +0700\r\n"
    "Message-ID: <CAF1r2s3t4u5v6w7x8y9z0@mail.example.co.id>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
    "--b1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
    "Yth. Pemkot Semarang,\r\nTrotoar di depan Gedung Lawang Sewu berlubang dan ubinnya lepas, "
    "membahayakan pejalan kaki.\r\nTerima kasih.\r\n\r\n"
    "--b1\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"trotoar.jpg\"\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U\r\n"
    "--b1--\r\n")


def ses_notification(action: dict[str, Any], content: str | None = None) -> dict[str, Any]:
    verdict = {"status": "PASS"}
    notification: dict[str, Any] = {
        "notificationType": "Received",
        "mail": {"timestamp": "2026-11-23T08:05:12.345Z", "source": "dewi.lestari@example.co.id",
                 "messageId": "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1", "destination": ["aduan@semarangkota.go.id"],
                 "headersTruncated": False,
                 "commonHeaders": {"returnPath": "dewi.lestari@example.co.id",
                                   "from": ["Dewi Lestari <dewi.lestari@example.co.id>"],
                                   "date": "Mon, 23 Nov 2026 15:05:11 +0700", "to": ["aduan@semarangkota.go.id"],
                                   "messageId": "<CAF1r2s3t4u5v6w7x8y9z0@mail.example.co.id>",
                                   "subject": "Trotoar rusak di Jl. Pemuda"}},
        "receipt": {"timestamp": "2026-11-23T08:05:12.345Z", "processingTimeMillis": 574,
                    "recipients": ["aduan@semarangkota.go.id"], "spamVerdict": verdict, "virusVerdict": verdict,
                    "spfVerdict": verdict, "dkimVerdict": verdict, "dmarcVerdict": verdict, "action": action},
    }
    if content is not None:
        notification["content"] = content
    return notification


def sns_envelope(message: str, kind: str = "Notification", **fields: str) -> dict[str, Any]:
    """An SNS HTTPS delivery, signed with the development key (infra/local/sns-dev-signing-key.pem)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    envelope: dict[str, Any] = {
        "Type": kind, "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", "TopicArn": EMAIL_TOPIC,
        **({"Subject": "Amazon SES Email Receipt Notification"} if kind == "Notification" else {}),
        "Message": message, "Timestamp": "2026-11-23T08:05:13.012Z", "SignatureVersion": "2",
        "SigningCertURL": SNS_CERT_URL, **fields}
    keys = (("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type") if kind == "Notification"
            else ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"))
    canonical = "".join(f"{key}\n{envelope[key]}\n" for key in keys if key in envelope).encode()
    key = serialization.load_pem_private_key((REPO / "infra/local/sns-dev-signing-key.pem").read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    envelope["Signature"] = base64.b64encode(key.sign(canonical, padding.PKCS1v15(), hashes.SHA256())).decode()
    if kind == "Notification":
        envelope["UnsubscribeURL"] = ("https://sns.ap-southeast-3.amazonaws.com/?Action=Unsubscribe&"
                                      f"SubscriptionArn={EMAIL_TOPIC}:5e5e5e5e-1111-2222-3333-444455556666")
    return envelope


EMAIL_INLINE = sns_envelope(json.dumps(ses_notification({"type": "SNS", "topicArn": EMAIL_TOPIC, "encoding": "UTF8"},
                                                        EMAIL_MIME)))
EMAIL_S3 = sns_envelope(json.dumps(ses_notification({
    "type": "S3", "topicArn": EMAIL_TOPIC, "bucketName": "aduan-inbound-test",
    "objectKeyPrefix": "email/", "objectKey": "email/o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1"})))
EMAIL_SUBSCRIPTION = sns_envelope(
    "You have chosen to subscribe to the topic " + EMAIL_TOPIC + ".\nTo confirm the subscription, visit the "
    "SubscribeURL included in this message.", kind="SubscriptionConfirmation",
    Token="2336412f37fb687f5d51e6e2425dacbba9e4e4b2a5e9fa9dbd2e0b0c9f1b7bdc3a7f8e9d",
    SubscribeURL=("https://sns.ap-southeast-3.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
                  + EMAIL_TOPIC + "&Token=2336412f37fb687f5d51e6e2425dacbba9e4e4b2a5e9fa9dbd2e0b0c9f1b7bdc3a7f8e9d"))

X_ACCOUNT = "1234567890"
X_DM = {"for_user_id": X_ACCOUNT, "direct_message_events": [{
    "type": "message_create", "id": "1864012345678901234", "created_timestamp": str(SAMPLE_TIME * 1000 + 321),
    "message_create": {"target": {"recipient_id": X_ACCOUNT}, "sender_id": "987654321",
                       "message_data": {"text": "Halo admin, PJU di Jl. Gajahmada &amp; Jl. Pemuda mati semua",
                                        "entities": {"hashtags": [], "symbols": [], "user_mentions": [],
                                                     "urls": []}}}}],
    "users": {"987654321": {"id": "987654321", "created_timestamp": "1422556069340", "name": "Agus Prasetyo",
                            "screen_name": "agusp_smg", "protected": False, "verified": False,
                            "followers_count": 211, "friends_count": 340, "statuses_count": 5102},
              X_ACCOUNT: {"id": X_ACCOUNT, "name": "Lapor Semarang", "screen_name": "laporsemarang"}}}
X_MENTION = {"for_user_id": X_ACCOUNT, "user_has_blocked": False, "tweet_create_events": [{
    "created_at": "Mon Nov 23 08:10:00 +0000 2026", "id": 1864012345678909999, "id_str": "1864012345678909999",
    "text": "@laporsemarang banjir lagi di Kaligawe, air masuk rumah warga",
    "truncated": False, "in_reply_to_screen_name": "laporsemarang",
    "user": {"id": 555000111, "id_str": "555000111", "name": "Wulan", "screen_name": "wulan_kaligawe"},
    "entities": {"hashtags": [], "urls": [], "user_mentions": [
        {"screen_name": "laporsemarang", "name": "Lapor Semarang", "id": 1234567890, "id_str": X_ACCOUNT,
         "indices": [0, 14]}]},
    "timestamp_ms": str(SAMPLE_TIME * 1000)}]}


# ------------------------------------------------------------------ signing
def meta_signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signed_headers(channel: str, body: bytes, url: str, secrets: dict[str, Any] | None = None,
                   form: list[tuple[str, str]] | None = None) -> dict[str, str]:
    """The headers the provider would send with this body to this URL."""
    channel_secrets = (secrets or dev_secrets())[channel]
    if channel in ("whatsapp", "instagram", "messenger"):
        return {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(
            channel_secrets["app_secret"], body)}
    if channel == "telegram":
        return {"Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": channel_secrets["secret_token"]}
    if channel == "x":
        digest = hmac.new(channel_secrets["consumer_secret"].encode(), body, hashlib.sha256).digest()
        return {"Content-Type": "application/json",
                "X-Twitter-Webhooks-Signature": "sha256=" + base64.b64encode(digest).decode()}
    if channel == "email":  # SNS signs inside the body; these are the headers SNS sends
        envelope = json.loads(body)
        return {"Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": envelope["Type"],
                "x-amz-sns-message-id": envelope["MessageId"], "x-amz-sns-topic-arn": envelope["TopicArn"]}
    if channel == "twilio":
        return {"Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": twilio_signature(channel_secrets["auth_token"], url, form or [])}
    raise KeyError(f"no signer for {channel}")


def twilio_signature(auth_token: str, url: str, form: list[tuple[str, str]]) -> str:
    # Twilio: the full URL, then each parameter name immediately followed by its value, sorted by name.
    payload = url + "".join(name + value for name, value in sorted(form))
    return base64.b64encode(hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def generic_headers(integration: str, body: bytes, timestamp: int, secrets: dict[str, Any] | None = None
                    ) -> dict[str, str]:
    secret = (secrets or dev_secrets())["generic"]["integrations"][integration]
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Aduan-Integration": integration,
            "X-Aduan-Timestamp": str(timestamp), "X-Aduan-Signature": f"sha256={mac}"}


def body_bytes(payload: dict[str, Any]) -> bytes:
    # Meta and Telegram send compact JSON with non-ASCII escaped.
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()


# ------------------------------------------------------------------ API Gateway events
def api_event(method: str, channel: str, body: bytes | None, headers: dict[str, str],
              query: dict[str, str] | None = None) -> dict[str, Any]:
    host = SAMPLE_BASE_URL.split("/")[2]
    agent = {"User-Agent": _agent(channel)} if _agent(channel) else {}
    all_headers = {"Host": host, **agent, "X-Forwarded-For": "173.252.95.21",
                   "X-Forwarded-Port": "443", "X-Forwarded-Proto": "https",
                   "X-Amzn-Trace-Id": "Root=1-6b03f4d8-0d7e7735b451502a8098b8fb", **headers}
    path = f"/webhooks/{channel}"
    return {
        "resource": "/webhooks/{channel}", "path": path, "httpMethod": method,
        "headers": all_headers, "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": {"channel": channel}, "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012", "apiId": "a1b2c3d4e5", "domainName": host, "domainPrefix": "a1b2c3d4e5",
            "extendedRequestId": "Bq3XkFmLoAMEZ6w=", "httpMethod": method,
            "identity": {"accessKey": None, "accountId": None, "caller": None,
                         "cognitoAuthenticationProvider": None, "cognitoAuthenticationType": None,
                         "cognitoIdentityId": None, "cognitoIdentityPoolId": None, "principalOrgId": None,
                         "sourceIp": "173.252.95.21", "user": None, "userAgent": _agent(channel) or None,
                         "userArn": None},
            "path": f"/prod{path}", "protocol": "HTTP/1.1", "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "23/Nov/2026:08:10:00 +0000", "requestTimeEpoch": SAMPLE_TIME * 1000,
            "resourceId": "wh00k5", "resourcePath": "/webhooks/{channel}", "stage": "prod"},
        "body": body.decode() if body is not None else None,
        "isBase64Encoded": False,
    }


def _agent(channel: str) -> str:
    return {"telegram": "", "twilio": "TwilioProxy/1.1", "email": "Amazon Simple Notification Service Agent",
            }.get(channel, "facebookexternalua")


def webhook_event(channel: str, payload: dict[str, Any]) -> dict[str, Any]:
    body = body_bytes(payload)
    url = f"{SAMPLE_BASE_URL}/webhooks/{channel}"
    return api_event("POST", channel, body, signed_headers(channel, body, url))


def twilio_event(form: list[tuple[str, str]]) -> dict[str, Any]:
    body = urlencode(form).encode()
    url = f"{SAMPLE_BASE_URL}/webhooks/twilio"
    return api_event("POST", "twilio", body, signed_headers("twilio", body, url, form=form))


def generic_event(payload: dict[str, Any], integration: str = "sms-gateway") -> dict[str, Any]:
    body = body_bytes(payload)
    return api_event("POST", "generic", body, generic_headers(integration, body, SAMPLE_TIME))


def samples() -> dict[str, dict[str, Any]]:
    secrets = dev_secrets()
    return {
        "whatsapp_handshake": api_event("GET", "whatsapp", None, {}, {
            "hub.mode": "subscribe", "hub.challenge": "1158201444",
            "hub.verify_token": secrets["whatsapp"]["verify_token"]}),
        "whatsapp_text": webhook_event("whatsapp", WHATSAPP_TEXT),
        "whatsapp_image": webhook_event("whatsapp", WHATSAPP_IMAGE),
        "whatsapp_location": webhook_event("whatsapp", WHATSAPP_LOCATION),
        "whatsapp_status_delivered": webhook_event("whatsapp", WHATSAPP_STATUS),
        "telegram_text": webhook_event("telegram", TELEGRAM_TEXT),
        "telegram_photo": webhook_event("telegram", TELEGRAM_PHOTO),
        "telegram_location": webhook_event("telegram", TELEGRAM_LOCATION),
        "twilio_sms": twilio_event(TWILIO_SMS),
        "twilio_whatsapp_image": twilio_event(TWILIO_WHATSAPP_IMAGE),
        "twilio_status_undelivered": twilio_event(TWILIO_STATUS),
        "messenger_text": webhook_event("messenger", MESSENGER_TEXT),
        "instagram_image": webhook_event("instagram", INSTAGRAM_IMAGE),
        "generic_sms_gateway": generic_event(GENERIC_SMS),
        "email_ses_inline": webhook_event("email", EMAIL_INLINE),
        "email_ses_s3_action": webhook_event("email", EMAIL_S3),
        "email_sns_subscription_confirmation": webhook_event("email", EMAIL_SUBSCRIPTION),
        "x_crc_challenge": api_event("GET", "x", None, {}, {"crc_token": "NDU2OTk5NTk1MTQ4MjQ0NjQ0OA"}),
        "x_direct_message": webhook_event("x", X_DM),
        "x_mention": webhook_event("x", X_MENTION),
    }


def intake_samples() -> dict[str, dict[str, Any]]:
    """SQS FIFO events as the intake worker receives them: what the webhook enqueued for each sample."""
    sys.path.insert(0, str(REPO / "functions"))
    from datetime import UTC, datetime

    from aduan.adapters.channels import adapter_for
    from aduan.adapters.channels.base import WebhookRequest

    def records(names: list[str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for index, name in enumerate(names):
            event = samples()[name]
            channel = event["pathParameters"]["channel"]
            adapter = adapter_for(channel)
            assert adapter is not None
            request = WebhookRequest("POST", {k.lower(): v for k, v in event["headers"].items()}, {},
                                     event["body"].encode(), SAMPLE_BASE_URL + event["path"],
                                     datetime.fromtimestamp(SAMPLE_TIME + index, UTC),
                                     parse_qsl(event["body"], keep_blank_values=True))
            for message in adapter.parse(request, f"raw/{channel}/2026/11/23/{name}").messages:
                found.append(sqs_record(message.model_dump_json(exclude_none=True), message.group_id, message.id,
                                        len(found)))
        return found

    return {"whatsapp_text_photo_location": {"Records": records(
                ["whatsapp_text", "whatsapp_image", "whatsapp_location"])},
            "telegram_text_photo_location": {"Records": records(
                ["telegram_text", "telegram_photo", "telegram_location"])},
            "other_channels": {"Records": records(
                ["twilio_sms", "twilio_whatsapp_image", "messenger_text", "instagram_image", "generic_sms_gateway",
                 "email_ses_inline", "x_direct_message", "x_mention"])}}


def sqs_record(body: str, group: str, dedup: str, index: int) -> dict[str, Any]:
    return {
        "messageId": f"5a1f6c2e-0b7d-4e8a-9c3f-1d2e3f4a5b{index:02d}",
        "receiptHandle": f"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a{index:02d}",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": str(SAMPLE_TIME * 1000 + index),
                       "SenderId": "AROAEXAMPLE:aduan-webhooks-prod",
                       "ApproximateFirstReceiveTimestamp": str(SAMPLE_TIME * 1000 + 40 + index),
                       "SequenceNumber": f"1863425800000000{index:04d}", "MessageGroupId": group,
                       "MessageDeduplicationId": dedup},
        "messageAttributes": {}, "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:aduan-intake-prod.fifo",
        "awsRegion": "ap-southeast-3",
    }


def rendered() -> dict[Path, str]:
    files = {EVENTS / "webhooks" / f"{name}.json": event for name, event in samples().items()}
    files.update({EVENTS / "intake" / f"{name}.json": event for name, event in intake_samples().items()})
    return {path: json.dumps(event, indent=2, ensure_ascii=False) + "\n" for path, event in files.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite the sample events")
    stale = [path for path, text in rendered().items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    if parser.parse_args().write:
        for path, text in rendered().items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        print(f"wrote {len(rendered())} samples")
    elif stale:
        sys.exit("stale samples (run python -m infra.channel_samples --write): " + ", ".join(map(str, stale)))


if __name__ == "__main__":
    main()
