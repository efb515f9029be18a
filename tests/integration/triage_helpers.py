"""Driving the routing worker under moto as SQS delivers to it: the EventBridge event of a
ticket's timeline entry, wrapped in an SQS record."""

from __future__ import annotations

import json
from typing import Any

from tests.integration.conftest import Context


def _detail(code: str, event_type: str) -> dict[str, Any]:
    from aduan import settings
    from aduan.dal import codec
    from aduan.dal.clients import client
    from aduan.dal.ticket_items import stored_entries
    from aduan.logic.domain_events import detail

    items = client("dynamodb").query(
        TableName=settings.table_name(), KeyConditionExpression="pk = :pk AND sk >= :head",
        ExpressionAttributeValues=codec.to_item({":pk": f"T#{code}", ":head": "#TICKET"}))["Items"]
    # A new ticket's TicketCreated entry may still be inline on its head (docs/data-model.md).
    stored = [entry for entry in stored_entries(codec.from_item(item) for item in items)
              if entry["event_type"] == event_type]
    return detail(stored[-1])


def sqs_batch(*events: tuple[str, str]) -> dict[str, Any]:
    records = []
    for number, (code, event_type) in enumerate(events):
        body = {"version": "0", "id": f"ev-{number}", "detail-type": event_type, "source": "aduan.tickets",
                "account": "123456789012", "time": "2026-11-23T03:15:00Z", "region": "ap-southeast-3",
                "resources": [], "detail": _detail(code, event_type)}
        records.append({"messageId": f"m-{number}", "receiptHandle": "r", "body": json.dumps(body),
                        "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
                        "md5OfBody": "", "eventSource": "aws:sqs",
                        "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:aduan-routing-test",
                        "awsRegion": "ap-southeast-3"})
    return {"Records": records}


def route(*codes: str, event_type: str = "TicketCreated") -> dict[str, Any]:
    from aduan.handlers.routing import handler
    from aduan.wiring import routing_service

    routing_service.cache_clear()
    answer: dict[str, Any] = handler(sqs_batch(*((code, event_type) for code in codes)), Context())  # type: ignore[arg-type]
    return answer
