"""Issue 16: a correctly signed payload we cannot use is acknowledged (200), quarantined in S3 and counted,
so the provider stops redelivering it; nothing reaches the intake queue and nothing answers 5xx."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from channels_harness import Channels, channels_fixture  # noqa: F401 - the `channels` fixture

from infra import channel_samples as samples


def telegram(**message: Any) -> dict[str, Any]:
    update = samples.telegram_update(734519001, {"message_id": 501, "text": "Jalan rusak parah di Jl. Pemuda"})
    update["message"].update(message)
    return update


def deep(levels: int) -> bytes:
    update = telegram(entities="DEEP")
    return json.dumps(update).replace('"DEEP"', "[" * levels + "]" * levels).encode()


MALFORMED: dict[str, dict[str, Any] | bytes] = {
    "from as a string": telegram(**{"from": "budi"}),
    "chat as a list": telegram(chat=[1, 2]),
    "timestamp 1e20": telegram(date=1e20),
    "location out of range": telegram(location={"latitude": 1000, "longitude": -999}),
    "non-numeric file_size": telegram(photo=[{"file_id": "a", "file_unique_id": "b", "width": 1, "height": 1,
                                              "file_size": "big"}]),
    "deep JSON": deep(5000),
    "5 MB text": telegram(text="a" * 5_000_000),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_signed_but_malformed_telegram_update_is_acknowledged_and_quarantined(channels: Channels,
                                                                                name: str) -> None:
    answer = channels.post("telegram", MALFORMED[name])
    assert answer.status == 200, answer.body
    reply = answer.json()
    if reply.get("status") == "accepted":  # parsed after all: then it must have been queued whole
        assert channels.queued()
        return
    assert reply["status"] == "quarantined" and reply["kept_as"].startswith("rejected/telegram/")
    kept = boto3.client("s3").head_object(Bucket="aduan-inbound-test", Key=reply["kept_as"])
    assert kept["Metadata"]["reason"]
    assert channels.queued() == []


def test_an_unsigned_payload_is_still_refused(channels: Channels) -> None:
    assert channels.post("telegram", MALFORMED["chat as a list"], sign=False).status in (401, 403)


def test_an_encoded_slash_in_the_channel_is_404(channels: Channels) -> None:
    event = samples.api_event("POST", "a%2Fb", b"{}", {"Content-Type": "application/json"})
    for path in ("/webhooks/a%2Fb", "/webhooks/a/b"):
        event["path"] = path
        answer = channels.call(event)
        assert answer.status == 404, answer.body


def test_the_quarantine_metric_is_alarmed() -> None:
    from pathlib import Path

    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load((Path(__file__).parents[2] / "template.yaml").read_text(), Loader=Loader)
    alarms = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert any(a.get("MetricName") == "WebhookQuarantined" and a.get("Namespace") == "Aduan" for a in alarms)
