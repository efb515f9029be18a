"""The officers' daily rating digest under moto: ratings kept by the notifier as they happen (no email each),
one digest per rated agency at 07:00 WIB for the previous local day, sent once however often the schedule
fires; an agency without ratings gets nothing; a reopen still emails the agency at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from aduan.logic import clock
from tests.integration.conftest import TABLES, Api, Context
from tests.integration.test_notifications import Port, Provider, events

TABLE = TABLES["TicketsTable"]
START = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # Wednesday 2 December, 10:00 WIB
DIGEST_TIME = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)  # Thursday 3 December, 07:00 WIB (the schedule's cron)


class World:
    def __init__(self, api: Api) -> None:
        from aduan.dal import config_store, template_store
        from aduan.dal.contacts import ContactRepository
        from aduan.dal.deliveries import DeliveryRepository
        from aduan.dal.ratings import RatingStore
        from aduan.dal.tickets import TicketRepository
        from aduan.services.delivery import DeliveryService
        from aduan.services.notifier import NotifierService
        from aduan.services.rating_digest import RatingDigestService

        template_store.clear_cache()
        self.api, self.now, self.port, self.provider = api, START, Port(), Provider()
        clock.set_clock(lambda: self.now)
        city, templates = (lambda: config_store.load_config(TABLE)), (lambda: template_store.load_templates(TABLE))
        self.digest = RatingDigestService(RatingStore(TABLE), city=city, notifications=templates,
                                          port=lambda: self.port)
        self.notifier = NotifierService(
            tickets=TicketRepository(TABLE), contacts=ContactRepository(TABLE), deliveries=DeliveryRepository(TABLE),
            city=city, config=templates, port=lambda: self.port, ratings=self.digest)
        self.delivery = DeliveryService(
            deliveries=DeliveryRepository(TABLE), tickets=TicketRepository(TABLE), contacts=ContactRepository(TABLE),
            config=templates, port=lambda: self.port,
            credentials=lambda name: {"from_address": "aduan@semarangkota.go.id"}, transport=self.provider,
            sleep=lambda seconds: None)

    def resolved(self, who: str, agency: str = "dpu") -> str:
        code = str(self.api.file(who)["tracking_code"])
        for actor, action, fields in (("verifier", "verify", {}), ("verifier", "assign", {"agency_id": agency}),
                                      (agency, "accept", {}), (agency, "start", {}),
                                      (agency, "resolve", {"response": "Sudah ditambal"}),
                                      ("verifier", "approve_answer", {})):
            version = self.api("GET", f"/v1/complaints/{code}", who=actor).body["version"]
            reply = self.api.act(actor, code, action, version, **fields)
            assert reply.status == 200, (action, reply.body)
        return code

    def rate(self, who: str, code: str, score: int, comment: str, at: datetime) -> list[Any]:
        """The citizen rates at `at`; the notifier is handed the rating event (twice: a redelivery)."""
        self.now = at
        rated = self.api("POST", f"/v1/complaints/{code}/rating", {"score": score, "comment": comment}, who)
        assert rated.status == 200, rated.body
        (rating,) = [e for e in events(code) if e["detail-type"] == "RatingGiven"]
        return self.notifier.handle(rating) + self.notifier.handle(rating)


@pytest.fixture
def world(api: Api) -> Iterator[World]:
    yield World(api)
    clock.set_clock(None)


def test_ratings_reach_each_agency_once_a_day_in_one_digest(world: World) -> None:
    low, high, late = world.resolved("citizen"), world.resolved("citizen2"), world.resolved("citizen")
    world.resolved("citizen2", agency="dlh")  # resolved by DLH, never rated: DLH gets no digest
    told = world.rate("citizen", low, 2, "Belum beres, masih berlubang. Hubungi saya 0812-3456-7890", START)
    told += world.rate("citizen2", high, 5, "Cepat, terima kasih", datetime(2026, 12, 2, 16, 30, tzinfo=UTC))
    # 00:30 WIB on Thursday: Thursday's rating, in Friday's digest.
    told += world.rate("citizen", late, 4, "Lumayan", datetime(2026, 12, 2, 17, 30, tzinfo=UTC))
    assert [m for m in told if m.audience == "officer"] == []  # no email per rating any more

    world.now = datetime(2026, 12, 2, 16, 59, tzinfo=UTC)  # 23:59 WIB: Wednesday is not over, Tuesday had none
    assert world.digest.send_due() == []
    world.now = DIGEST_TIME
    first = world.digest.send_due()
    again = world.digest.send_due()  # the schedule fired twice
    assert [m.id for m in first] == [m.id for m in again] and len(first) == 1
    (digest,) = first
    assert (digest.recipient, digest.audience, digest.kind) == ("dpu@semarangkota.go.id", "officer", "rating_digest")
    assert digest.cause_id == "rating_digest#2026-12-02#dpu"
    assert "2 Des 2026: 2 aduan, rata-rata 3,5/5" in (digest.subject or "")
    assert "2 Dec 2026: rated 2, average 3.5/5" in (digest.subject or "")
    indonesian, english = digest.text.split("----------")
    assert "Dinilai: 2 aduan" in indonesian and "Nilai 1-2 bintang (1):" in indonesian
    assert "Complaints rated: 2" in english and "Average: 3.5/5" in english
    assert f'- {low}: 2/5 "Belum beres, masih berlubang. Hubungi saya [disamarkan]"' in indonesian
    assert f"https://aduan.semarangkota.go.id/#/c/{low}" in english
    assert high not in digest.text and late not in digest.text  # a 5 is counted, not listed; Thursday's waits
    assert "0812" not in digest.text and "https://aduan.semarangkota.go.id/#/agency" in digest.text

    outcomes = [world.delivery.deliver(m) for m in first + again]
    assert outcomes == ["sent", "duplicate"]  # one email per agency-day
    (request,) = world.provider.requests
    assert request.aws_call is not None and request.aws_call[2]["Destination"]["ToAddresses"] == [digest.recipient]

    world.now = DIGEST_TIME + timedelta(days=1)
    (friday,) = world.digest.send_due()
    assert friday.cause_id == "rating_digest#2026-12-03#dpu" and f'- {late}' not in friday.text
    assert "Dinilai: 1 aduan" in friday.text and "Tidak ada." in friday.text and "None." in friday.text


def test_the_schedule_runs_the_digest_and_a_day_is_read_with_one_query(world: World,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The reports function's RatingDigest schedule (input {"job": "rating_digest"}) sends the digest; the
    day is one Query, the rating one small item without index keys."""
    from aduan import wiring
    from aduan.dal.clients import client
    from aduan.handlers.reports import RATING_DIGEST, handler
    from infra.sam import load_template, translate_template

    code = world.resolved("citizen")
    world.rate("citizen", code, 1, "Tidak ada perbaikan sama sekali", START)
    item = boto3.client("dynamodb").get_item(
        TableName=TABLE, Key={"pk": {"S": "RATED#2026-12-02"}, "sk": {"S": f"dpu#{code}"}})["Item"]
    assert set(item) == {"pk", "sk", "score", "comment", "rated_at", "expires_at"}  # no index keys on it

    # What SAM makes of it, and what local mode fires at POST /local/schedules/ReportsFunctionRatingDigest.
    rule = translate_template(load_template())["Resources"]["ReportsFunctionRatingDigest"]["Properties"]
    assert rule["ScheduleExpression"] == "cron(0 0 * * ? *)"  # 00:00 UTC = 07:00 WIB
    assert json.loads(rule["Targets"][0]["Input"]) == {"job": RATING_DIGEST}
    monkeypatch.setattr(wiring.rating_digest(), "port", lambda: world.port)
    calls: list[tuple[str, str]] = []
    client("dynamodb").meta.events.register(
        "before-parameter-build.dynamodb",
        lambda params, model, **kwargs: calls.append((model.name, str(params.get("ExpressionAttributeValues")))))

    world.now = DIGEST_TIME
    summary = handler({"job": "rating_digest", "time": "2026-12-03T00:00:00Z"}, Context())  # type: ignore[arg-type]
    assert summary == {"queued": 1, "digests": ["rating_digest#2026-12-02#dpu"]}
    assert [name for name, values in calls if "RATED#" in values] == ["Query"]
    assert "Scan" not in {name for name, _ in calls}
    (sent,) = world.port.sent[-1:]
    assert sent.kind == "rating_digest" and f'- {code}: 1/5 "Tidak ada perbaikan sama sekali"' in sent.text


def test_a_reopen_still_tells_the_agency_at_once(world: World) -> None:
    code = world.resolved("citizen")
    version = world.api("GET", f"/v1/complaints/{code}", who="citizen").body["version"]
    reopened = world.api("POST", f"/v1/complaints/{code}/reopen", {"reason": "Masih berlubang",
                                                                   "expected_version": version})
    assert reopened.status == 200, reopened.body
    (reopen,) = [e for e in events(code) if e["detail-type"] == "TicketReopened"]
    told = world.notifier.handle(reopen)
    assert [(m.kind, m.recipient) for m in told if m.audience == "officer"] == [
        ("TicketReopened", "dpu@semarangkota.go.id")]
