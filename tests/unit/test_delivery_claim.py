"""A delivery claim is exactly once, and survives the SDK resending it after a lost answer: the retried
request finds its own claim (same token) and takes it, where another sender's claim is refused."""

from __future__ import annotations

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
    assert deliveries.status(MESSAGE.id) == ("sending", NOW)
