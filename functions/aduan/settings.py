"""Environment configuration, read when first needed (never at import: tests and local mode set
the environment after importing). Every variable here is set by template.yaml."""

from __future__ import annotations

import os


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"environment variable {name} is not set (template.yaml sets it)")
    return value


def table_name() -> str:
    return _required("TABLE_NAME")


def idempotency_table_name() -> str:
    return _required("IDEMPOTENCY_TABLE_NAME")


def attachments_bucket() -> str:
    return _required("ATTACHMENTS_BUCKET")


def event_bus_name() -> str:
    return _required("EVENT_BUS_NAME")


def exports_bucket() -> str:
    return _required("EXPORTS_BUCKET")


def export_queue_url() -> str:
    return _required("EXPORT_QUEUE_URL")
def intake_queue_url() -> str:
    return _required("INTAKE_QUEUE_URL")


def inbound_bucket() -> str:
    return _required("INBOUND_BUCKET")


def channel_secrets_prefix() -> str:
    return _required("CHANNEL_SECRETS_PREFIX")


def webhook_base_url() -> str | None:
    """The public base URL providers call (Twilio signs the full URL, so it is configured, not guessed);
    None: the execute-api stage URL. Local mode sets LOCAL_WEBHOOK_BASE_URL to its own gateway."""
    return os.environ.get("LOCAL_WEBHOOK_BASE_URL") or os.environ.get("WEBHOOK_BASE_URL") or None


def local_channel_secrets_file() -> str | None:
    """Only local mode sets this: secrets come from the committed development file instead of SSM."""
    return os.environ.get("LOCAL_CHANNEL_SECRETS") or None


def delivery_queue_url() -> str:
    return _required("DELIVERY_QUEUE_URL")


def local_outbox() -> bool:
    """Local mode only (infra/local sets it): without credentials, keep requests instead of failing."""
    return os.environ.get("LOCAL_OUTBOX") == "1"


def push_applications() -> dict[str, str]:
    """SNS platform application ARNs for citizens' app push, by platform; empty when not offered."""
    return {"fcm": os.environ.get("PUSH_FCM_APPLICATION_ARN", ""),
            "apns": os.environ.get("PUSH_APNS_APPLICATION_ARN", "")}
