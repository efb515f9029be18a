"""A delivery claim is exactly once, and survives the SDK resending it after a lost answer: the retried
request finds its own claim (same token) and takes it, where another sender's claim is refused."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from moto import mock_aws

from aduan.dal import clients
from aduan.dal.deliveries import DeliveryRepository
from aduan.models.outbound import OutboundMessage
from aduan.models.ticket import Channel
from infra import emulation

TABLE = "aduan-tickets-claims"
NOW, STALE = "2026-12-03T10:00:00Z", "2026-12-03T09:58:30Z"
MESSAGE = OutboundMessage(id="msg-1", cause_id="ev-1", kind="TicketAssigned", channel=Channel.WHATSAPP,
                          recipient="+628123456789", text="Laporan Anda diteruskan", tracking_code="ADU-TEST-01")


@pytest.fixture
def deliveries() -> Iterator[DeliveryRepository]:
    with mock.patch.dict(os.environ, emulation.credentials()), mock_aws():
        os.environ.pop("AWS_ENDPOINT_URL", None)
        clients.reset()
        emulation.create_table("TicketsTable", TABLE, stream=False)
        yield DeliveryRepository(TABLE)
    clients.reset()


def token(value: str) -> Any:
    return mock.patch("aduan.dal.deliveries.uuid.uuid4", return_value=mock.Mock(hex=value))


def test_the_sdk_resending_a_claim_whose_answer_was_lost_gets_it(deliveries: DeliveryRepository) -> None:
    with token("first"):
        assert deliveries.claim(MESSAGE, NOW, STALE, 0) == 1
        # the same request again, as botocore sends it after a read timeout: our own claim, not a rival's
        assert deliveries.claim(MESSAGE, NOW, STALE, 0) is not None
    with token("second"):
        assert deliveries.claim(MESSAGE, NOW, STALE, 0) is None  # another sender, claim not stale: refused
    assert deliveries.status(MESSAGE) == ("sending", NOW)


def test_a_message_with_a_place_on_the_timeline_is_claimed_as_its_log_entry(deliveries: DeliveryRepository) -> None:
    """One item is the claim, the outcome and the timeline entry: two writes a message, each one unit."""
    from datetime import UTC, datetime

    import boto3

    from aduan.logic import delivery_log
    from aduan.models.events import TicketSnapshot

    message = MESSAGE.model_copy(update={"ticket_id": "t-1", "ticket_version": 3,
                                         "caused_at": "2026-12-03T09:59:00.000000Z"})
    ticket = TicketSnapshot(id="t-1", tracking_code="ADU-TEST-01", version=3)
    moment = datetime(2026, 12, 3, 10, tzinfo=UTC)
    event_id = delivery_log.log_event_id(message.id)
    sending = delivery_log.entry(ticket, message, "sending", moment, event_id=event_id)
    with token("first"):
        assert deliveries.claim(message, NOW, STALE, 0, sending) == 1
    with token("second"):
        assert deliveries.claim(message, NOW, STALE, 0, sending) is None
    sent = delivery_log.entry(ticket, message, "sent", moment, provider="whatsapp", attempt=1, event_id=event_id)
    deliveries.finish(message, "sent", NOW, {}, sent, "wamid.1", mapped=False)
    assert deliveries.claim(message, NOW, "2026-12-03T11:00:00Z", 0, sending) is None  # sent: never again
    items = boto3.client("dynamodb").scan(TableName=TABLE)["Items"]
    [item] = items  # no DLV# record, no provider id map, no second entry
    assert item["sk"]["S"] == f"EV#2026-12-03T09:59:00.000000Z#9#{event_id}" and item["status"]["S"] == "sent"
    assert item["entity"]["S"] == "log" and item["data"]["M"]["outcome"]["S"] == "sent"
    assert len(json.dumps(item)) < 1000  # one write unit each
