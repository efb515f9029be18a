"""Issue 16, deliverable 4: every channel adapter's parser, as the webhook calls it (`parse_payload`), given
any JSON (wholly random, or a real sample with one value replaced by anything) answers Parsed or
MalformedPayload (acknowledged and quarantined). Never another exception: the webhook would answer 5xx and
the provider would redeliver forever."""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aduan.adapters.channels import CHANNELS, adapter_for
from aduan.adapters.channels.base import MalformedPayload, Parsed, WebhookRequest, parse_payload
from infra import channel_samples as samples

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20)
SAMPLES: dict[str, list[Any]] = {
    "whatsapp": [samples.WHATSAPP_TEXT, samples.WHATSAPP_IMAGE, samples.WHATSAPP_LOCATION, samples.WHATSAPP_STATUS],
    "telegram": [samples.TELEGRAM_TEXT, samples.TELEGRAM_PHOTO, samples.TELEGRAM_LOCATION],
    "messenger": [samples.MESSENGER_TEXT], "instagram": [samples.INSTAGRAM_IMAGE],
    "generic": [samples.GENERIC_SMS], "email": [samples.EMAIL_INLINE], "x": [samples.X_DM, samples.X_MENTION],
    "twilio": [dict(samples.TWILIO_SMS), dict(samples.TWILIO_WHATSAPP_IMAGE), dict(samples.TWILIO_STATUS)],
}


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in children:
        found += paths(child, (*prefix, key))
    return found


def replaced(sample: Any, path: tuple[Any, ...], new: Any) -> Any:
    copied = copy.deepcopy(sample)
    target = copied
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return copied


@st.composite
def mutated(draw: st.DrawFn, channel: str) -> Any:
    if draw(st.booleans()):
        return draw(JSON)
    sample = draw(st.sampled_from(SAMPLES[channel]))
    return replaced(sample, draw(st.sampled_from(paths(sample))), draw(JSON))


def request(channel: str, payload: Any) -> WebhookRequest:
    if channel == "twilio":
        pairs = [(str(k), v if isinstance(v, str) else json.dumps(v)) for k, v in
                 (payload.items() if isinstance(payload, dict) else [])]
        return WebhookRequest("POST", {"content-type": "application/x-www-form-urlencoded"}, {}, b"",
                              f"{samples.SAMPLE_BASE_URL}/webhooks/twilio", datetime.now(UTC), pairs)
    return WebhookRequest("POST", {"content-type": "application/json"}, {}, json.dumps(payload).encode(),
                          f"{samples.SAMPLE_BASE_URL}/webhooks/{channel}", datetime.now(UTC))


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_any_json_is_parsed_or_refused(channel: str) -> None:
    adapter = adapter_for(channel)
    assert adapter is not None

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(payload=mutated(channel))
    def check(payload: Any) -> None:
        with contextlib.suppress(MalformedPayload):  # refused: acknowledged and quarantined by the webhook
            assert isinstance(parse_payload(adapter, request(channel, payload), "raw/x"), Parsed)

    check()
