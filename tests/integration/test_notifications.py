"""Notifier and sender under moto: exactly once under redelivery, retry with backoff, fallback to the
citizen's next channel after a permanent failure, STOP honoured, provider callbacks on the timeline."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import boto3
import pytest

from aduan.adapters.senders.base import ProviderRequest, Reply
from aduan.dal.contacts import ContactRepository
from aduan.dal.deliveries import DeliveryRepository
from aduan.dal.tickets import TicketRepository
from aduan.models.contact import Contact
from aduan.models.outbound import OutboundMessage
from aduan.models.ticket import Channel
from tests.integration.conftest import TABLES, Api

TABLE = TABLES["TicketsTable"]
WA = "whatsapp:+6281234567890"
TG = "telegram:5550001"


@dataclass
class Port:
    sent: list[OutboundMessage] = field(default_factory=list)

    def send(self, message: OutboundMessage) -> None:
        self.sent.append(message)


@dataclass
class Provider:
    """A fake provider endpoint: answers from a script, records every request."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[ProviderRequest] = field(default_factory=list)

    def __call__(self, request: ProviderRequest) -> Reply:
        self.requests.append(request)
        if self.replies:
            return self.replies.pop(0)
        if request.provider == "ses":
            return Reply(200, {"MessageId": f"ses-{len(self.requests)}"})
        if request.provider == "telegram":
            return Reply(200, {"ok": True, "result": {"message_id": len(self.requests)}})
        return Reply(200, {"messages": [{"id": f"wamid.{len(self.requests)}"}]})


@pytest.fixture
def world(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    from aduan.dal import config_store, template_store
    from aduan.services.delivery import DeliveryService
    from aduan.services.notifier import NotifierService

    template_store.clear_cache()
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    contacts = ContactRepository(TABLE)
    for cid, channel, address in ((WA, Channel.WHATSAPP, "+6281234567890"), (TG, Channel.TELEGRAM, "5550001")):
        contacts.put(Contact(id=cid, channel=channel, address=address, person_id="person-1", language="id",
                             last_inbound_at=now, created_at=now, updated_at=now))
    harness = sys.modules[type(api).__module__]  # the conftest module pytest loaded
    monkeypatch.setitem(harness.CLAIMS, "wa", {"sub": WA, "cognito:groups": "citizen", "name": "Sari"})
    port, provider = Port(), Provider()
    delivery = DeliveryService(
        deliveries=DeliveryRepository(TABLE), tickets=TicketRepository(TABLE), contacts=contacts,
        config=lambda: template_store.load_templates(TABLE), port=lambda: port,
        credentials=lambda name: {"access_token": "t", "phone_number_id": "1", "bot_token": "b",
                                  "from_address": "aduan@semarangkota.go.id"},
        transport=provider, sleep=lambda seconds: None)
    notifier = NotifierService(
        tickets=TicketRepository(TABLE), contacts=contacts, deliveries=DeliveryRepository(TABLE),
        city=lambda: config_store.load_config(TABLE), config=lambda: template_store.load_templates(TABLE),
        port=lambda: port)
    filed = api.file("wa")
    yield {"api": api, "port": port, "provider": provider, "delivery": delivery, "notifier": notifier,
           "code": filed["tracking_code"], "contacts": contacts}


def events(code: str) -> list[dict[str, Any]]:
    """The domain events of a ticket, as the relay would publish them."""
    from aduan.logic.domain_events import detail

    items = boto3.client("dynamodb").query(
        TableName=TABLE, KeyConditionExpression="pk = :pk AND begins_with(sk, :ev)",
        ExpressionAttributeValues={":pk": {"S": f"T#{code}"}, ":ev": {"S": "EV#"}})["Items"]
    from aduan.dal import codec

    stored = [codec.from_item(item) for item in items]
    return [{"source": "aduan.tickets", "detail-type": s["event_type"], "detail": json.loads(json.dumps(detail(s)))}
            for s in stored if s["event_type"] != "NotificationRecorded"]


def later(seconds: int) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def notifications(api: Api, code: str) -> list[dict[str, Any]]:
    reply = api("GET", f"/v1/complaints/{code}/timeline", who="verifier", query={"limit": "100"})
    return [entry for entry in reply.body["items"] if entry["type"] == "NotificationRecorded"]


def assign(world: dict[str, Any]) -> dict[str, Any]:
    api, code = world["api"], world["code"]
    assert api.act("verifier", code, "verify", 1).status == 200
    assert api.act("verifier", code, "assign", 2, agency_id="dpu").status == 200
    return events(code)[-1]


def test_a_redelivered_event_and_a_retried_batch_send_once(world: dict[str, Any]) -> None:
    envelope = assign(world)
    first = world["notifier"].handle(envelope)
    second = world["notifier"].handle(envelope)  # the same event delivered again
    assert [m.id for m in first] == [m.id for m in second]
    outcomes = [world["delivery"].deliver(m) for m in first + second + first]
    assert outcomes.count("sent") == len(first) and outcomes.count("duplicate") == 2 * len(first)
    assert len(world["provider"].requests) == len(first)  # one provider call per (event, recipient, channel)
    assert len(notifications(world["api"], world["code"])) == len(first)


def test_transient_failures_retry_with_backoff_then_succeed(world: dict[str, Any]) -> None:
    from aduan.services.delivery import RetryLater

    citizen = next(m for m in world["notifier"].handle(assign(world)) if m.audience == "citizen")
    throttled = Reply(400, {"error": {"code": 130429}}, headers={"Retry-After": "900"})
    world["provider"].replies = [Reply(503, {}), throttled]
    with pytest.raises(RetryLater) as first:
        world["delivery"].deliver(citizen)
    with pytest.raises(RetryLater) as second:
        world["delivery"].deliver(citizen)
    assert (first.value.seconds, second.value.seconds) == (30, 900)
    assert world["delivery"].deliver(citizen) == "sent"
    assert world["delivery"].deliver(citizen) == "duplicate"
    # One entry per message (its claim and outcome): the attempts it took are on it.
    log = [(e["data"]["outcome"], e["data"]["attempt"], e["note"]) for e in notifications(world["api"], world["code"])]
    assert log == [("sent", 3, "Notification sent via whatsapp to the citizen (attempt 3)")]


def test_a_permanent_failure_falls_back_to_the_citizens_next_channel(world: dict[str, Any]) -> None:
    citizen = next(m for m in world["notifier"].handle(assign(world)) if m.audience == "citizen")
    assert citizen.channel == Channel.WHATSAPP and citizen.data["fallbacks"][0]["channel"] == "telegram"
    world["provider"].replies = [Reply(400, {"error": {"code": 131026,
                                                       "message": "Message to 6281234567890 undeliverable"}})]
    assert world["delivery"].deliver(citizen) == "failed"
    [fallback] = world["port"].sent[-1:]
    assert (fallback.channel, fallback.recipient, fallback.text) == (Channel.TELEGRAM, "5550001", citizen.text)
    assert world["delivery"].deliver(fallback) == "sent"
    assert world["provider"].requests[-1].provider == "telegram"
    log = notifications(world["api"], world["code"])
    assert [e["data"]["outcome"] for e in log] == ["failed", "sent"]
    assert log[0]["data"]["error_code"] == "131026" and "trying telegram next" in log[0]["note"]
    assert "+6281234567890" not in json.dumps(log)  # the citizen's number is not shown to officers


def test_stop_is_honoured_at_selection_and_at_send_time(world: dict[str, Any]) -> None:
    envelope = assign(world)
    citizen = next(m for m in world["notifier"].handle(envelope) if m.audience == "citizen")
    world["contacts"].update(WA, opted_out=True)  # the citizen sent STOP after the message was queued
    assert world["delivery"].deliver(citizen) == "suppressed"
    assert not [r for r in world["provider"].requests if r.provider == "whatsapp"]
    confirmation = citizen.model_copy(update={"id": "msg_stop", "kind": "stop_confirmation"})
    assert world["delivery"].deliver(confirmation) == "sent"  # STOP's own confirmation still goes out
    api, code = world["api"], world["code"]
    assert api.act("dpu", code, "accept", 3).status == 200
    later = world["notifier"].handle(events(code)[-1])
    assert [m for m in later if m.audience == "citizen"] == []  # nothing new is even queued


def test_provider_status_callbacks_are_recorded_once_and_failures_fall_back(world: dict[str, Any]) -> None:
    citizen = next(m for m in world["notifier"].handle(assign(world)) if m.audience == "citizen")
    assert world["delivery"].deliver(citizen) == "sent"
    wamid = "wamid.1"  # what the fake provider answered for the first request
    callback = {"source": "aduan.channels", "detail-type": "DeliveryStatusReported", "detail": {
        "channel": "whatsapp", "provider_message_id": wamid, "status": "delivered", "error_code": None,
        "error_title": None, "occurred_at": later(60), "recipient": "6281234567890"}}
    world["notifier"].handle(callback)
    world["notifier"].handle(callback)  # redelivered
    failed = {**callback, "detail": {**callback["detail"], "status": "failed", "error_code": 131047,
                                     "error_title": "Re-engagement message", "occurred_at": later(120)}}
    world["notifier"].handle(failed)
    log = notifications(world["api"], world["code"])
    assert [e["data"]["outcome"] for e in log] == ["sent", "delivered", "failed"]
    assert world["port"].sent[-1].channel == Channel.TELEGRAM
    unknown = {**callback, "detail": {**callback["detail"], "provider_message_id": "wamid.not-ours"}}
    assert world["notifier"].handle(unknown) == []


def test_a_message_claimed_by_a_sender_that_died_is_retried_not_dropped(world: dict[str, Any]) -> None:
    from datetime import timedelta

    from aduan.logic import clock
    from aduan.services.delivery import STALE_CLAIM, RetryLater

    citizen = next(m for m in world["notifier"].handle(assign(world)) if m.audience == "citizen")
    started = datetime.now(UTC)

    def dies(request: Any) -> Any:
        raise TimeoutError("the function timed out mid-send")

    with mock.patch.object(world["delivery"], "transport", dies), pytest.raises(TimeoutError):
        world["delivery"].deliver(citizen)  # claimed, never finished
    with pytest.raises(RetryLater) as busy:  # redelivered while the first sender is (or was) at it
        world["delivery"].deliver(citizen)
    assert 1 <= busy.value.seconds <= STALE_CLAIM.total_seconds() + 1
    clock.set_clock(lambda: started + STALE_CLAIM + timedelta(seconds=1))
    try:
        assert world["delivery"].deliver(citizen) == "sent"  # the stale claim is taken over
    finally:
        clock.set_clock(None)
    assert world["delivery"].deliver(citizen) == "duplicate"


def test_sla_breach_emails_the_agency_and_the_supervisors_with_the_due_time_in_wib(world: dict[str, Any]) -> None:
    assign(world)
    envelope = {"source": "aduan.sla", "detail-type": "SlaBreached", "detail": {
        "event_id": "sla-ev-1", "tracking_code": world["code"], "stage": "resolution", "agency_id": "dpu",
        "category_id": "jalan-rusak", "due_at": "2026-11-30T03:15:00.000000Z", "rung": 1,
        "occurred_at": "2026-11-30T03:15:00.000000Z", "actor": {"role": "system", "id": "sla"}}}
    built = world["notifier"].handle(envelope)
    assert {m.audience for m in built} == {"officer", "supervisor"}  # not the citizen
    supervisor = next(m for m in built if m.audience == "supervisor")
    assert supervisor.recipient == "pengawas.aduan@semarangkota.go.id"
    assert "30 Nov 2026 10:15 WIB" in supervisor.text and "penyelesaian" in supervisor.text
    assert [m.id for m in world["notifier"].handle(envelope)] == [m.id for m in built]


def test_a_verification_breach_names_the_desk_not_a_dash(world: dict[str, Any]) -> None:
    """Before assignment a complaint is with the verification desk; the supervisor's email says so."""
    envelope = {"source": "aduan.sla", "detail-type": "SlaBreached", "detail": {
        "event_id": "sla-ev-desk", "tracking_code": world["code"], "stage": "verification",
        "due_at": "2026-11-30T03:15:00.000000Z", "rung": 1,
        "occurred_at": "2026-11-30T03:15:00.000000Z", "actor": {"role": "system", "id": "sla"}}}
    supervisor = next(m for m in world["notifier"].handle(envelope) if m.audience == "supervisor")
    assert "(Meja verifikasi)" in supervisor.text and "(-)" not in supervisor.text
    assert supervisor.subject.startswith("[Aduan] Meja verifikasi melewati tenggat")


def test_the_delivery_log_is_the_tickets_history_not_an_event_on_the_bus(world: dict[str, Any],
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The sender and a status callback name the ticket from the message (no ticket read); their entries stay
    on the timeline and the relay's stream filter leaves them out (no consumer subscribes to them)."""
    from aduan.dal import codec
    from infra.local.patterns import matches
    from infra.sam import load_template

    citizen = next(m for m in world["notifier"].handle(assign(world)) if m.audience == "citizen")
    assert citizen.ticket_version == 3

    def no_read(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the ticket was read")

    monkeypatch.setattr(world["delivery"].tickets, "get", no_read)
    monkeypatch.setattr(world["notifier"].tickets, "get", no_read)
    assert world["delivery"].deliver(citizen) == "sent"
    world["notifier"].handle({"source": "aduan.channels", "detail-type": "DeliveryStatusReported", "detail": {
        "channel": "whatsapp", "provider_message_id": "wamid.1", "status": "read", "occurred_at": later(60)}})
    assert [e["data"]["outcome"] for e in notifications(world["api"], world["code"])] == ["sent", "read"]
    items = boto3.client("dynamodb").query(
        TableName=TABLE, KeyConditionExpression="pk = :pk AND begins_with(sk, :ev)",
        ExpressionAttributeValues={":pk": {"S": f"T#{world['code']}"}, ":ev": {"S": "EV#"}})["Items"]
    relay = load_template()["Resources"]["EventRelayFunction"]["Properties"]["Events"]["Outbox"]["Properties"]
    stream_filters = [json.loads(f["Pattern"]) for f in relay["FilterCriteria"]["Filters"]]
    published = {codec.from_item(item)["event_type"] for item in items
                 if any(matches(stream_filter, {"eventName": "INSERT", "dynamodb": {"Keys": {"sk": item["sk"]},
                                                                                    "NewImage": item}})
                        for stream_filter in stream_filters)}
    # TicketCreated rode on the new head (published from its insert) and was written out by the next change.
    relayed = {codec.from_item(item)["event_type"] for item in items
               if codec.from_item(item)["entity"] == "relayed_event"}
    logged = [codec.from_item(item) for item in items if codec.from_item(item)["event_type"] == "NotificationRecorded"]
    assert published == {"TicketVerified", "TicketAssigned"} and relayed == {"TicketCreated"}
    assert len(logged) == 2 and all("ticket_snapshot" not in e and e["ticket_version"] == 3 for e in logged)


def aws_calls(action: Any) -> list[str]:
    """The AWS operations `action` makes."""
    from botocore.client import BaseClient

    made: list[str] = []
    original = BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        made.append(operation)
        return original(client, operation, params)

    with mock.patch.object(BaseClient, "_make_api_call", counted):
        action()
    return made


def test_whatsapp_statuses_echo_our_reference_and_cost_one_write_and_no_read(world: dict[str, Any]) -> None:
    """Issue #11: a sent message is two writes (its log entry as claim, then its outcome); each WhatsApp status
    names its ticket and message through the reference Meta echoes (`biz_opaque_callback_data`): one put,
    no read; a redelivered status changes nothing; a late failure still falls back."""
    citizen = next(m for m in world["notifier"].handle(assign(world)) if m.audience == "citizen")
    alone = citizen.model_copy(update={"id": "msg_alone", "data": {**citizen.data, "fallbacks": []}})
    sending = aws_calls(lambda: world["delivery"].deliver(alone))
    assert sending == ["UpdateItem", "GetItem", "UpdateItem"], sending  # claim, contact, outcome: no map
    body = json.loads(world["provider"].requests[-1].body)
    reference = body["biz_opaque_callback_data"]
    assert alone.id in reference and world["code"] in reference and "+62" not in reference

    def status(state: str, seconds: int, echoed: str | None = reference) -> dict[str, Any]:
        return {"source": "aduan.channels", "detail-type": "DeliveryStatusReported", "detail": {
            "channel": "whatsapp", "provider_message_id": "wamid.1", "status": state, "occurred_at": later(seconds),
            "recipient": "+6281234567890", "reference": echoed}}

    read, delivered = status("read", 60), status("delivered", 30)
    assert aws_calls(lambda: world["notifier"].handle(delivered)) == ["PutItem"]
    assert aws_calls(lambda: world["notifier"].handle(read)) == ["PutItem"]
    assert world["notifier"].delivery_status(read["detail"]) is False  # redelivered: nothing new
    log = notifications(world["api"], world["code"])
    assert [e["data"]["outcome"] for e in log] == ["sent", "delivered", "read"]
    assert all(e["data"]["message_id"] == alone.id for e in log)
    # A forged or foreign reference is not trusted: the provider id is looked up instead (unknown here).
    assert world["notifier"].delivery_status(status("read", 90, '{"t":"x"}')["detail"]) is False

    # With a fallback, the map is kept for a late failure, which hands the message on once.
    assert world["delivery"].deliver(citizen) == "sent"
    echoed = json.loads(world["provider"].requests[-1].body)["biz_opaque_callback_data"]
    failed = {**status("failed", 120, echoed), "detail": {**status("failed", 120, echoed)["detail"],
                                                          "provider_message_id": "wamid.2", "error_code": "131047"}}
    sent_before = len(world["port"].sent)
    world["notifier"].handle(failed)
    world["notifier"].handle(failed)
    assert [m.channel for m in world["port"].sent[sent_before:]] == [Channel.TELEGRAM]
