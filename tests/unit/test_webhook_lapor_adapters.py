"""The pieces of forwarding by webhook and the SP4N-LAPOR! adapter that need no AWS: configuration
checks, the signed webhook request, the assumed LAPOR! API's requests and replies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from aduan.adapters.senders.base import Credentials, Reply, SendContext
from aduan.adapters.senders.lapor import LaporApi, LaporSender, LaporUnavailable
from aduan.adapters.senders.webhook import WebhookSender
from aduan.logic.forward_messages import lapor_status
from aduan.logic.forwarding import problem
from aduan.models.lapor import LaporSettings
from aduan.models.organisation import Forwarding
from aduan.models.outbound import OutboundMessage
from aduan.models.ticket import Channel

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def _message(channel: Channel, data: dict[str, object]) -> OutboundMessage:
    return OutboundMessage(id="msg_1", cause_id="evt_1", kind="external_forward", channel=channel,
                           recipient="pdam", audience="officer", text="Penerusan aduan", data=data)


@pytest.mark.parametrize("setting, wrong", [
    ({"channel": "webhook", "url": "https://pdam.example/hook"}, "needs `url` and `secret`"),
    ({"channel": "webhook", "secret": "forward-pdam"}, "needs `url` and `secret`"),
    ({"channel": "webhook", "url": "http://pdam.example/hook", "secret": "forward-pdam"}, "must be an https://"),
    ({"channel": "webhook", "url": "https://pdam.example/hook", "secret": "pdam-key"}, "pattern"),
    ({"channel": "fax"}, "channel"),
])
def test_a_forward_that_cannot_reach_its_body_is_refused_at_load(setting: dict[str, str], wrong: str) -> None:
    with pytest.raises(ValidationError, match=wrong):
        Forwarding.model_validate(setting)


def test_a_webhook_forward_may_use_https_or_a_local_fake_on_loopback() -> None:
    assert Forwarding(channel="webhook", url="https://pdam.example/hook/", secret="forward-pdam").url \
        == "https://pdam.example/hook"
    assert Forwarding(channel="webhook", url="http://127.0.0.1:3651/hooks/pdam", secret="forward-pdam").url
    with pytest.raises(ValidationError):
        LaporSettings(base_url="http://lapor.example/api")
    assert LaporSettings(base_url="https://lapor.example/api/").base_url == "https://lapor.example/api"


def test_the_webhook_request_is_signed_over_timestamp_and_body_and_names_the_delivery() -> None:
    message = _message(Channel.WEBHOOK, {"url": "https://pdam.example/hook", "secret": "forward-pdam",
                                         "timeout": 4, "payload": {"tracking_code": "ADU-7K3Q-9G", "teks": "é"}})
    request = WebhookSender().build(message, Credentials({"signing_key": "k1"}), SendContext(now=NOW))
    assert request.method == "POST" and request.url == "https://pdam.example/hook" and request.timeout == 4
    assert request.headers["X-Aduan-Delivery"] == "msg_1" and request.headers["X-Aduan-Timestamp"] == str(
        int(NOW.timestamp()))
    assert problem(b"k1", request.headers["X-Aduan-Timestamp"], request.headers["X-Aduan-Signature"],
                   request.body.encode(), NOW) is None
    assert problem(b"k2", request.headers["X-Aduan-Timestamp"], request.headers["X-Aduan-Signature"],
                   request.body.encode(), NOW) == "the signature does not match the body"
    with pytest.raises(KeyError):  # deployed without its key: a permanent "not configured" failure
        WebhookSender().build(message, Credentials({}), SendContext(now=NOW))


@pytest.mark.parametrize("reply, outcome", [
    (Reply(200, {"reference": "TM-1"}), "sent"), (Reply(202, {}), "sent"), (Reply(503, {}), "transient"),
    (Reply(429, {}), "transient"), (Reply(0, {}, error_code="network"), "transient"),
    (Reply(401, {"message": "bad signature"}), "permanent"), (Reply(404, {}), "permanent"),
])
def test_the_body_s_answer_decides_sent_retry_or_give_up(reply: Reply, outcome: str) -> None:
    assert WebhookSender().interpret(reply).outcome == outcome
    assert LaporSender().interpret(reply).outcome == outcome


def test_lapor_requests_carry_the_token_only_in_secret_headers_and_address_reports() -> None:
    api = LaporApi("https://lapor.example/api", "t0ken", 7.0)
    pull = api.pull_request("c/1", 20)
    assert pull.method == "GET" and pull.url == "https://lapor.example/api/reports?cursor=c%2F1&limit=20"
    assert pull.secret_headers == {"Authorization": "Bearer t0ken"} and "t0ken" not in str(pull.headers)
    assert api.pull_request(None, 5).url.endswith("/reports?limit=5")
    status = api.push_request("status", "LPR-1", {"status": "selesai"})
    assert status.url.endswith("/reports/LPR-1/status") and status.timeout == 7.0
    assert api.push_request("answer", "aduan:ADU-7K3Q-9G", {}).url.endswith("/reports/external/ADU-7K3Q-9G/answers")
    assert api.push_request("submit", "", {"external_ref": "ADU-7K3Q-9G"}).url.endswith("/reports")


def test_the_lapor_sender_builds_the_push_the_notifier_described() -> None:
    message = _message(Channel.LAPOR, {"secret": "lapor", "lapor": {
        "operation": "answer", "report": "LPR-9", "document": {"answer": "Sudah diperbaiki"},
        "base_url": "https://lapor.example/api", "timeout": 5}})
    request = LaporSender().build(message, Credentials({"token": "t"}), SendContext(now=NOW))
    assert request.url == "https://lapor.example/api/reports/LPR-9/answers"
    assert '"answer":"Sudah diperbaiki"' in request.body
    with pytest.raises(ValueError):
        LaporSender().build(_message(Channel.LAPOR, {}), Credentials({"token": "t"}), SendContext(now=NOW))


def test_a_page_lapor_cannot_give_is_a_retry_next_run_not_a_crash() -> None:
    page = LaporApi.read_page(Reply(200, {"reports": [{"id": "LPR-1", "text": "Lampu mati", "extra": 1}],
                                          "next_cursor": "1"}))
    assert [r.id for r in page.reports] == ["LPR-1"] and page.next_cursor == "1"
    with pytest.raises(LaporUnavailable, match="503"):
        LaporApi.read_page(Reply(503, {}))
    with pytest.raises(LaporUnavailable, match="cannot read"):
        LaporApi.read_page(Reply(200, {"reports": [{"id": "has spaces", "text": ""}]}))


@pytest.mark.parametrize("status, word", [
    ("received", "verifikasi"), ("assigned", "disposisi"), ("in_progress", "tindak_lanjut"),
    ("need_info", "tindak_lanjut"), ("resolved", "selesai"), ("rejected", "arsip"), (None, "tindak_lanjut"),
])
def test_aduan_statuses_in_lapor_words(status: str | None, word: str) -> None:
    assert lapor_status(status) == word


def test_a_body_reached_through_lapor_needs_lapor_configured() -> None:
    from aduan.models.config import CityConfig, load_config_dir
    from infra.seed import DEFAULT_CITY_DIR

    document = load_config_dir(DEFAULT_CITY_DIR).model_dump(mode="json")
    next(a for a in document["agencies"] if a["id"] == "bbpjn-jateng-diy")["forward"] = {"channel": "lapor"}
    with pytest.raises(ValidationError, match="'bbpjn-jateng-diy' is forwarded to through SP4N-LAPOR!"):
        CityConfig.model_validate(document)
    document["settings"]["lapor"] = {"base_url": "https://lapor.example/api"}
    assert CityConfig.model_validate(document).settings.lapor is not None
