"""Sender identities are normalised once, whatever prefix the provider put on them."""

from __future__ import annotations

import pytest

from aduan.logic.identity import bare, twilio_whatsapp, whatsapp_address


@pytest.mark.parametrize(("raw", "address"), [
    ("whatsapp:+6281398760000", "+6281398760000"),
    ("6281398760000", "+6281398760000"),
    ("whatsapp:US.13491208655302741918", "US.13491208655302741918"),
    ("whatsapp:whatsapp:US.13491208655302741918", "US.13491208655302741918"),
    ("US.ENT.11815799212886844830", "US.ENT.11815799212886844830"),
    ("whatsapp:", None),
])
def test_whatsapp_addresses(raw: str, address: str | None) -> None:
    assert whatsapp_address(raw) == address


def test_the_twilio_prefix_is_added_exactly_once() -> None:
    assert twilio_whatsapp("+6281398760000") == "whatsapp:+6281398760000"
    assert twilio_whatsapp("whatsapp:US.1") == "whatsapp:US.1" and bare("whatsapp:whatsapp:US.1") == "US.1"
