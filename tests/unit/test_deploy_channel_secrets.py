"""infra.deploy.channel_secrets: a local JSON file becomes one SSM SecureString per provider."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from infra.deploy import channel_secrets

EXAMPLE = Path(__file__).resolve().parents[2] / "infra" / "deploy" / "channel-secrets.example.json"


def test_the_example_file_is_valid() -> None:
    docs = channel_secrets.documents(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert {"whatsapp", "telegram", "email", "ses", "lapor", "forward-pdam"} <= set(docs)
    assert "_comment" not in docs and "_comment" not in docs["forward-pdam"]


def test_problems_are_all_reported_before_anything_is_written() -> None:
    with pytest.raises(ValueError) as raised:
        channel_secrets.documents({
            "telegram": {"bot_token": "1:x"},
            "whatsap": {"app_secret": "s"},
            "email": {"topic_arns": ["arn:aws:sns:ap-southeast-3:1:t"], "signing_certificates": {"u": "pem"}},
            "twilio": {"account_sid": "AC1", "auth_token": ""},
            "forward-pdam": {"key": "k"},
            "lapor": {},
        })
    message = str(raised.value)
    assert "telegram: missing secret_token" in message
    assert "whatsap: unknown provider" in message
    assert "signing_certificates is for local mode only" in message
    assert "twilio: empty auth_token" in message
    assert "forward-pdam: missing signing_key" in message and "lapor: missing token" in message


@mock_aws
def test_put_writes_one_secure_string_per_provider_and_overwrites(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
    ssm = boto3.client("ssm", region_name="ap-southeast-3")
    docs = channel_secrets.documents({
        "_comment": "ignored",
        "telegram": {"secret_token": "old", "bot_token": "1:abc", "_note": "dropped"},
    })
    channel_secrets.put(ssm, "prod", docs)
    docs = channel_secrets.documents({"telegram": {"secret_token": "new", "bot_token": "1:abc"}})
    assert channel_secrets.put(ssm, "prod", docs) == ["/aduan/prod/channels/telegram"]
    stored = ssm.get_parameter(Name="/aduan/prod/channels/telegram", WithDecryption=True)["Parameter"]
    assert stored["Type"] == "SecureString"
    assert json.loads(stored["Value"]) == {"secret_token": "new", "bot_token": "1:abc"}


def test_dry_run_names_parameters_without_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"telegram": {"secret_token": "s3cr3t", "bot_token": "1:abc"}}), encoding="utf-8")
    assert channel_secrets.main(["--stage", "dev", "--dry-run", str(secrets)]) == 0
    out = capsys.readouterr().out
    assert "/aduan/dev/channels/telegram" in out
    assert "s3cr3t" not in out
