"""Forwarding that leaves by HTTPS, against the local fakes over real HTTP (infra/local/external_fakes.py):
PDAM reached by a signed webhook (retried after a 503, sent once, answered by signed callback), and the
SP4N-LAPOR! bridge (reports pulled once per LAPOR! id whatever the cursor does; the city's work pushed
back as status changes and the answer; a complaint forwarded to LAPOR! submitted there once)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from aduan.adapters import provider_transport
from aduan.adapters.lapor import HttpsLapor
from aduan.adapters.senders.lapor import api_for
from aduan.dal import config_store, template_store
from aduan.dal.contacts import ContactRepository
from aduan.dal.deliveries import DeliveryRepository
from aduan.dal.lapor_state import LaporState
from aduan.dal.tickets import TicketRepository
from aduan.models.config import CityConfig
from aduan.models.outbound import OutboundMessage
from aduan.models.ticket import Channel
from aduan.services.delivery import DeliveryService, RetryLater
from aduan.services.lapor_bridge import LaporBridge
from infra.local.external_fakes import ExternalFakes, FakeServer
from tests.integration.test_forwarding import _signed_call
from tests.integration.test_notifications import TABLE, events, world  # noqa: F401 (the fixture)

PDAM = "pdam-tirta-moedal"
SECRETS = {"forward-pdam": {"signing_key": "pdam-signing-key"}, "lapor": {"token": "lapor-local-token"}}
REPORTS = [
    {"id": "LPR-1001", "title": "Lampu PJU mati di Jl. Setiabudi", "text": "Lampu jalan mati sejak seminggu, "
     "gelap dan rawan kecelakaan.", "type": "pengaduan", "reporter_name": "Budi",
     "location": {"lat": -7.0445, "lon": 110.4312, "address": "Jl. Setiabudi, Banyumanik"}},
    {"id": "LPR-1002", "text": "Usul taman bermain anak di kelurahan kami, lahan kosong milik pemkot terbengkalai.",
     "type": "aspirasi", "anonymous": True, "reporter_name": "Rahasia"},
]


def configure(change: Callable[[dict[str, Any]], None]) -> None:
    document = config_store.load_config(TABLE).model_dump(mode="json")
    change(document)
    config_store.save_config(TABLE, CityConfig.model_validate(document))


@pytest.fixture
def fakes() -> Iterator[tuple[ExternalFakes, str]]:
    found = ExternalFakes(webhook_keys={"pdam": b"pdam-signing-key"}, reports=[dict(r) for r in REPORTS])
    with FakeServer(found) as server:
        yield found, server.url


@pytest.fixture
def remote(world: dict[str, Any], fakes: tuple[ExternalFakes, str]) -> dict[str, Any]:  # noqa: F811
    """The world's notifier, a sender over real HTTP with the bodies' secrets, and the fakes' config."""
    fake, url = fakes

    def settle(document: dict[str, Any]) -> None:
        for agency in document["agencies"]:
            if agency["id"] == PDAM:
                agency["forward"] = {"channel": "webhook", "url": f"{url}/hooks/pdam", "secret": "forward-pdam",
                                     "signed_callback": True, "answer_days": 7}
            if agency["id"] == "bbpjn-jateng-diy":
                agency["forward"] = {"channel": "lapor", "answer_days": 14}
        document["settings"]["lapor"] = {"base_url": f"{url}/lapor", "page_size": 1}

    configure(settle)
    delivery = DeliveryService(
        deliveries=DeliveryRepository(TABLE), tickets=TicketRepository(TABLE), contacts=world["contacts"],
        config=lambda: template_store.load_templates(TABLE), port=lambda: world["port"],
        credentials=SECRETS.get, transport=provider_transport.execute, sleep=lambda seconds: None)
    return {**world, "fake": fake, "http_delivery": delivery}


def _deliver_all(delivery: DeliveryService, built: list[OutboundMessage]) -> list[str]:
    outcomes = []
    for message in built:
        try:
            outcomes.append(delivery.deliver(message))
        except RetryLater:
            outcomes.append(delivery.deliver(message))  # the queue would hand it back after the backoff
    return outcomes


def test_a_webhook_forward_is_signed_retried_sent_once_and_answered_by_callback(
        remote: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    api, code, notifier, fake = remote["api"], remote["code"], remote["notifier"], remote["fake"]
    delivery = remote["http_delivery"]
    api.act("verifier", code, "verify", 1)
    assert api.act("verifier", code, "forward", 2, agency_id=PDAM,
                   note="Pipa bocor di trotoar, mohon perbaikan").status == 200
    envelope = events(code)[-1]
    built, again = notifier.handle(envelope), notifier.handle(envelope)
    hooks = [m for m in built if m.channel == Channel.WEBHOOK]
    assert [m.recipient for m in hooks] == [PDAM] and hooks[0].kind == "external_forward"
    assert not [m for m in built if m.audience == "officer" and m.channel == Channel.EMAIL]  # not mailed too

    fake.fail_next = 1  # PDAM's endpoint is down for the first try
    with pytest.raises(RetryLater) as retry:
        delivery.deliver(hooks[0])
    assert retry.value.seconds >= 30  # backoff
    assert delivery.deliver(hooks[0]) == "sent"
    assert [delivery.deliver(m) for m in again if m.channel == Channel.WEBHOOK] == ["duplicate"]
    received = fake.calls("/hooks/pdam")
    assert len(received) == 1  # exactly once (the fake checked its signature and freshness)
    body = received[0].json()
    assert body["tracking_code"] == code and body["request"] == "Pipa bocor di trotoar, mohon perbaikan"
    assert body["answer_callback"] == f"/v1/external/{PDAM}/answers"
    assert "Sari" not in received[0].body.decode()  # the reporter stays confidential
    assert received[0].headers["x-aduan-delivery"] == hooks[0].id
    timeline = api("GET", f"/v1/complaints/{code}/timeline", who="verifier", query={"limit": "100"}).body["items"]
    outcomes = [(e["data"]["outcome"], e["data"]["attempt"]) for e in timeline
                if e["type"] == "NotificationRecorded" and e["data"].get("kind") == "external_forward"]
    assert outcomes == [("sent", 2)]  # the message's one entry: sent at the second attempt

    monkeypatch.setenv("EXTERNAL_SECRETS_PREFIX", "/aduan/test/external/")
    boto3.client("ssm").put_parameter(Name=f"/aduan/test/external/{PDAM}", Value="pdam-callback-key",
                                      Type="SecureString")
    answer = {"tracking_code": code, "answer": "Pipa sudah diganti oleh tim PDAM", "reference": "PDAM-55"}
    replied = _signed_call(api, PDAM, answer, key=b"pdam-callback-key")
    assert replied.status == 200 and replied.body["status"] == "in_review"  # Semarang's desk reviews it
    version = api("GET", f"/v1/complaints/{code}", who="verifier").body["version"]
    assert api.act("verifier", code, "approve_answer", version).status == 200
    relayed = notifier.handle(events(code)[-1])
    told = [m for m in relayed if m.audience == "citizen"]
    assert told and "Pipa sudah diganti" in told[0].text


def test_a_webhook_body_that_refuses_the_forward_is_a_failure_on_the_timeline(
        remote: dict[str, Any]) -> None:
    api, code, notifier, fake = remote["api"], remote["code"], remote["notifier"], remote["fake"]
    fake.webhook_keys["pdam"] = b"another-key"  # the body rotated its key and we did not
    api.act("verifier", code, "verify", 1)
    api.act("verifier", code, "forward", 2, agency_id=PDAM, note="Pipa bocor")
    hook = next(m for m in notifier.handle(events(code)[-1]) if m.channel == Channel.WEBHOOK)
    assert remote["http_delivery"].deliver(hook) == "failed"  # 401: permanent, not retried
    timeline = api("GET", f"/v1/complaints/{code}/timeline", who="verifier", query={"limit": "100"}).body["items"]
    failed = [e["data"] for e in timeline if e["type"] == "NotificationRecorded"
              and e["data"].get("kind") == "external_forward"]
    assert failed[-1]["outcome"] == "failed" and failed[-1]["error_code"] == "401"


def _bridge(remote: dict[str, Any]) -> LaporBridge:
    def port(settings: Any) -> HttpsLapor:
        return HttpsLapor(api_for(settings, SECRETS["lapor"]["token"]), settings.page_size,
                          provider_transport.execute)

    return LaporBridge(tickets=TicketRepository(TABLE), contacts=ContactRepository(TABLE),
                       state=LaporState(TABLE), config=lambda: config_store.load_config(TABLE), port=port)


def test_lapor_reports_are_filed_once_and_the_citys_work_is_pushed_back(remote: dict[str, Any]) -> None:
    api, notifier, fake = remote["api"], remote["notifier"], remote["fake"]
    bridge = _bridge(remote)
    fake.fail_next = 1  # LAPOR! is down: nothing filed, nothing lost, the cursor stays
    down = bridge.run()
    assert down.error is not None and "503" in down.error and down.filed == []
    assert LaporState(TABLE).cursor() is None
    first = bridge.run()
    assert len(first.filed) == 2 and first.error is None
    assert bridge.run().filed == []  # nothing new after the cursor
    LaporState(TABLE).save_cursor("0", "2026-01-01T00:00:00.000000Z")  # a crash re-reads old pages
    replay = bridge.run()
    assert replay.filed == [] and replay.known == 2  # once per LAPOR! id
    lamp, park = (api("GET", f"/v1/complaints/{c}", who="verifier").body for c in first.filed)
    assert lamp["channel"] == "lapor" and lamp["location"]["address"] == "Jl. Setiabudi, Banyumanik"
    assert "[SP4N-LAPOR! LPR-1001]" in lamp["text"]
    assert park["complaint_type"] == "aspirasi" and park["anonymous"] is True

    code, delivery = lamp["tracking_code"], remote["http_delivery"]
    seen = len(events(code))
    api.act("verifier", code, "verify", lamp["version"])
    api.act("verifier", code, "assign", lamp["version"] + 1, agency_id="dpu")
    version = api("GET", f"/v1/complaints/{code}", who="verifier").body["version"]
    api.act("dpu", code, "accept", version)
    api.act("dpu", code, "resolve", version + 1, response="Lampu PJU sudah diganti 2 Desember")
    api.act("verifier", code, "approve_answer", version + 2)
    pushes = [m for envelope in events(code) for m in notifier.handle(envelope) if m.channel == Channel.LAPOR]
    assert pushes and all(m.recipient == "LPR-1001" for m in pushes)
    outcomes = _deliver_all(delivery, pushes)
    assert set(outcomes) == {"sent"} and len(events(code)) > seen
    calls = fake.calls("/lapor/reports/LPR-1001/")
    statuses = [c.json()["status"] for c in calls if c.path.endswith("/status")]
    assert "verifikasi" in statuses and "disposisi" in statuses
    answers = [c.json() for c in calls if c.path.endswith("/answers")]
    assert [a["answer"] for a in answers] == ["Lampu PJU sudah diganti 2 Desember"]
    assert answers[0]["tracking_code"] == code
    assert _deliver_all(delivery, pushes) == ["duplicate"] * len(pushes)  # redelivered: pushed once


def test_a_complaint_forwarded_to_lapor_is_submitted_there_once(remote: dict[str, Any]) -> None:
    api, code, notifier, fake = remote["api"], remote["code"], remote["notifier"], remote["fake"]
    api.act("verifier", code, "verify", 1)
    api.act("verifier", code, "forward", 2, agency_id="bbpjn-jateng-diy", note="Jalan nasional berlubang")
    envelope = events(code)[-1]
    submits = [m for m in notifier.handle(envelope) + notifier.handle(envelope) if m.channel == Channel.LAPOR]
    assert len({m.id for m in submits}) == 1 and submits[0].recipient == f"aduan:{code}"
    assert _deliver_all(remote["http_delivery"], submits) == ["sent", "duplicate"]
    [filed] = fake.calls("/lapor/reports")
    assert filed.json()["external_ref"] == code and filed.json()["request"] == "Jalan nasional berlubang"
    assert "Sari" not in filed.body.decode()

    taken = api.act("verifier", code, "assign", 3, agency_id="dpu", reason="BBPJN: ruas ini jalan kota")
    assert taken.status == 200
    updates = [m for m in notifier.handle(events(code)[-1]) if m.channel == Channel.LAPOR]
    assert [m.kind for m in updates] == ["external_update"]
    assert _deliver_all(remote["http_delivery"], updates) == ["sent"]
    [told] = fake.calls(f"/lapor/reports/external/{code}/status")
    assert told.json()["status"] == "ditarik" and "ruas ini jalan kota" in told.json()["note"]
    version = api("GET", f"/v1/complaints/{code}", who="verifier").body["version"]
    api.act("dpu", code, "accept", version)
    assert not [m for m in notifier.handle(events(code)[-1]) if m.channel == Channel.LAPOR]  # no longer LAPOR!'s
