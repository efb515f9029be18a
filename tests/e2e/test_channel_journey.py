"""Channels in local mode over HTTP: a signed provider webhook -> the FIFO queue -> the intake worker ->
a complaint in the desk queue -> the reply with its tracking code recorded on the outbound port."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

import pytest

from infra import channel_samples as samples
from infra.local import LocalStack
from tests.e2e.over_http import stack_fixture

# one local stack per module: `make test` (--dist loadgroup) keeps its tests on one worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_channel_journey")]


stack = stack_fixture()


def post(stack: LocalStack, channel: str, payload: Any, forged: bool = False) -> tuple[int, str]:
    url = f"{stack.api_url}/webhooks/{channel}"
    if channel == "twilio":  # Twilio signs the public URL: local mode's is its own gateway
        body = urlencode(payload).encode()
        headers = samples.signed_headers(channel, body, url, form=payload)
    elif channel == "generic":
        body = samples.body_bytes(payload)
        headers = samples.generic_headers("sms-gateway", body, int(time.time()))
    else:
        body = samples.body_bytes(payload)
        headers = samples.signed_headers(channel, body, url)
    if forged and channel == "email":  # SNS signs inside the body
        body = body.replace(b"Trotoar", b"Jalan")
    elif forged:
        headers = {key: value if key == "Content-Type" else value[:-4] + "AAA=" for key, value in headers.items()}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def desk(stack: LocalStack) -> list[dict[str, Any]]:
    token = stack.issue_token("verifier", sub="desk-channels")
    request = urllib.request.Request(f"{stack.api_url}/v1/desk/complaints?status=received",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=15) as answer:
        return list(json.loads(answer.read())["items"])


def replies(stack: LocalStack, recipient: str) -> list[dict[str, Any]]:
    """What the sender would have sent to this recipient (local mode keeps it in GET /local/outbox)."""
    with urllib.request.urlopen(f"{stack.api_url}/local/outbox", timeout=15) as answer:
        messages = json.loads(answer.read())["messages"]
    shown = [json.loads(item["request"]) if isinstance(item.get("request"), str) else item for item in messages]
    return [item for item in shown if item.get("recipient") == recipient]


def wait_for(check: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.mark.parametrize("channel,payload,recipient", [
    ("whatsapp", samples.WHATSAPP_TEXT, "+6281234567890"),
    ("telegram", samples.TELEGRAM_TEXT, "5012345678"),
    ("twilio", samples.TWILIO_SMS, "+6281398765432"),
    ("messenger", samples.MESSENGER_TEXT, "6789012345678901"),
    ("instagram", samples.INSTAGRAM_IMAGE, "7012345678901234"),
    ("generic", samples.GENERIC_SMS, "+6281234500001"),
    ("email", samples.EMAIL_INLINE, "dewi.lestari@example.co.id"),
    ("x", samples.X_DM, "987654321"),
])
def test_a_chat_message_becomes_a_complaint_on_the_desk_and_gets_its_tracking_code(
        stack: LocalStack, channel: str, payload: dict[str, Any], recipient: str) -> None:
    assert post(stack, channel, payload, forged=True)[0] in (401, 403)
    for _ in range(3):  # providers redeliver: one complaint, one reply
        status, body = post(stack, channel, payload)
        assert status == 200, body
    [reply] = wait_for(lambda: replies(stack, recipient))
    if channel == "x":  # a DM to the citizen's X user id, whether they wrote a DM or a mention
        assert reply["url"] == f"https://api.x.com/2/dm_conversations/with/{recipient}/messages"
    code = reply["tracking_code"]
    assert code in reply["text"] and reply["kind"] == "intake_filed" and reply["tracking_code"] == code
    mine = [item for item in desk(stack) if item["tracking_code"] == code]
    assert len(mine) == 1 and mine[0]["channel"] == reply["channel"]
    time.sleep(1)
    assert len(replies(stack, recipient)) == 1
