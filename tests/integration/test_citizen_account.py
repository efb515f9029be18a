"""App and web citizens: their profile (GET/PUT /v1/me, verified flags from the user pool's claims),
their devices (POST/DELETE /v1/me/devices as SNS platform endpoints), and their complaints' events reaching
them by push first, then the verified email; an invalidated device token is forgotten; an Open311
requester's email gets status changes."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from aduan.adapters.senders.base import ProviderRequest, Reply
from aduan.models.outbound import OutboundMessage
from tests.integration.conftest import TABLES, Api
from tests.integration.test_notifications import Port, events
from tests.integration.test_open311 import call, good_form

TABLE = TABLES["TicketsTable"]
TOKEN = "fcm-registration-token-" + "x" * 120


@pytest.fixture
def citizen(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The citizen's token carries a verified email; an FCM platform application exists."""
    harness = sys.modules[type(api).__module__]
    monkeypatch.setitem(harness.CLAIMS, "ani", {"sub": "5f0c1e9a-ani", "cognito:groups": "citizen", "name": "Ani",
                                                "email": "ani@example.id", "email_verified": "true"})
    application = boto3.client("sns").create_platform_application(
        Name="aduan-fcm", Platform="GCM", Attributes={"PlatformCredential": "fcm-key"})["PlatformApplicationArn"]
    monkeypatch.setenv("PUSH_FCM_APPLICATION_ARN", application)
    yield api


def notifier() -> Any:
    from aduan.dal import config_store, template_store
    from aduan.dal.contacts import ContactRepository
    from aduan.dal.deliveries import DeliveryRepository
    from aduan.dal.tickets import TicketRepository
    from aduan.services.notifier import NotifierService
    from aduan.wiring import me_service

    template_store.clear_cache()
    port = Port()
    service = NotifierService(
        tickets=TicketRepository(TABLE), contacts=ContactRepository(TABLE), deliveries=DeliveryRepository(TABLE),
        city=lambda: config_store.load_config(TABLE), config=lambda: template_store.load_templates(TABLE),
        port=lambda: port, people=me_service().contacts)
    return service, port


def test_profile_follows_the_user_pools_verified_flags(citizen: Api) -> None:
    me = citizen("GET", "/v1/me", who="ani")
    assert me.status == 200, me.body
    assert (me.body["email"], me.body["email_verified"], me.body["language"]) == ("ani@example.id", True, "id")
    changed = citizen("PUT", "/v1/me", {"language": "en", "email": "ani.baru@example.id", "phone": "+6281234500001"},
                      who="ani").body
    assert changed["language"] == "en" and changed["email_verified"] is False and changed["phone_verified"] is False
    back = citizen("PUT", "/v1/me", {"email": "ANI@example.id"}, who="ani").body
    assert back["email"] == "ani@example.id" and back["email_verified"] is True
    bad = citizen("PUT", "/v1/me", {"email": "not-an-email", "nickname": "x"}, who="ani")
    assert bad.status == 422 and bad.body["error"]["code"] == "validation_error"
    assert citizen("GET", "/v1/me", who="verifier").status == 404  # officers have no notification profile


def test_null_switches_leave_the_profile_unchanged_and_null_contacts_clear_it(citizen: Api) -> None:
    """Found by the fuzz pass: `notify_by_sms: null` used to answer 500."""
    citizen("PUT", "/v1/me", {"phone": "+6281234500002", "notify_by_sms": True}, who="ani")
    kept = citizen("PUT", "/v1/me", {"notify_by_sms": None, "language": None, "phone": None}, who="ani")
    assert kept.status == 200, kept.body
    assert kept.body["notify_by_sms"] is True and kept.body["language"] == "id" and kept.body["phone"] is None


def test_devices_are_sns_platform_endpoints(citizen: Api) -> None:
    added = citizen("POST", "/v1/me/devices", {"platform": "fcm", "token": TOKEN}, who="ani")
    assert added.status == 201, added.body
    again = citizen("POST", "/v1/me/devices", {"platform": "fcm", "token": TOKEN}, who="ani")
    assert again.body["id"] == added.body["id"]  # one token, one device
    endpoints = boto3.client("sns").list_endpoints_by_platform_application(
        PlatformApplicationArn=boto3.client("sns").list_platform_applications()["PlatformApplications"][0][
            "PlatformApplicationArn"])["Endpoints"]
    assert [e["Attributes"]["Token"] for e in endpoints] == [TOKEN]
    assert [d["id"] for d in citizen("GET", "/v1/me", who="ani").body["devices"]] == [added.body["id"]]
    apns = citizen("POST", "/v1/me/devices", {"platform": "apns", "token": "a" * 64}, who="ani")
    assert apns.status == 409 and apns.body["error"]["code"] == "push_not_configured"
    assert citizen("DELETE", f"/v1/me/devices/{added.body['id']}", who="ani").status == 204
    assert citizen("GET", "/v1/me", who="ani").body["devices"] == []
    assert citizen("DELETE", f"/v1/me/devices/{added.body['id']}", who="ani").status == 404


def test_an_app_citizen_hears_back_by_push_then_email_and_a_dead_token_is_forgotten(citizen: Api) -> None:
    from aduan.dal import template_store
    from aduan.dal.contacts import ContactRepository
    from aduan.dal.deliveries import DeliveryRepository
    from aduan.dal.tickets import TicketRepository
    from aduan.services.delivery import DeliveryService
    from aduan.wiring import me_service

    citizen("PUT", "/v1/me", {"language": "en"}, who="ani")
    device = citizen("POST", "/v1/me/devices", {"platform": "fcm", "token": TOKEN}, who="ani").body
    code = citizen.file("ani")["tracking_code"]
    assert citizen.act("verifier", code, "verify", 1).status == 200
    assert citizen.act("verifier", code, "assign", 2, agency_id="dpu").status == 200
    service, port = notifier()
    for event in events(code):
        service.handle(event)
    pushes = [m for m in port.sent if m.audience == "citizen"]
    assert pushes and all(m.channel.value == "app" and m.language == "en" for m in pushes)
    assert {m.kind for m in pushes} >= {"TicketAssigned"}
    assert pushes[-1].data["fallbacks"] == [{"channel": "email", "address": "ani@example.id",
                                             "contact_id": "me:5f0c1e9a-ani:email"}]

    sent: list[ProviderRequest] = []

    def disabled(request: ProviderRequest) -> Reply:
        sent.append(request)
        if request.provider == "sns_push":
            return Reply(400, {"message": "Endpoint is disabled"}, error_code="EndpointDisabled")
        return Reply(200, {"MessageId": "ses-1"})

    template_store.clear_cache()
    delivery = DeliveryService(
        deliveries=DeliveryRepository(TABLE), tickets=TicketRepository(TABLE), contacts=ContactRepository(TABLE),
        config=lambda: template_store.load_templates(TABLE), port=lambda: port,
        credentials=lambda name: {"from_address": "aduan@semarangkota.go.id"}, transport=disabled,
        sleep=lambda seconds: None, forget_device=me_service().forget)
    message: OutboundMessage = pushes[-1]
    assert delivery.deliver(message) == "failed"
    assert citizen("GET", "/v1/me", who="ani").body["devices"] == []  # the invalid token is forgotten
    fallback = port.sent[-1]
    assert (fallback.channel.value, fallback.recipient) == ("email", "ani@example.id")
    assert delivery.deliver(fallback) == "sent" and sent[-1].provider == "ses"
    assert device["platform"] == "fcm"


def test_a_web_reporter_hears_back_on_the_contact_they_typed(api: Api) -> None:
    code = api.file("citizen2", contact="web.reporter@example.id")["tracking_code"]
    assert api.act("verifier", code, "verify", 1).status == 200
    assert api.act("verifier", code, "assign", 2, agency_id="dpu").status == 200
    service, port = notifier()
    for event in events(code):
        service.handle(event)
    assert {(m.channel.value, m.recipient) for m in port.sent if m.audience == "citizen"} == \
        {("email", "web.reporter@example.id")}
    assert api("POST", "/v1/complaints", {"title": "Jalan", "text": "Jalan rusak parah sekali", "contact": "x@"},
               who="citizen2").status == 422


def test_an_open311_requesters_email_gets_status_changes(api: Api) -> None:
    status, _, body = call("POST", "/open311/v2/requests.json", good_form())
    assert status == 201, body
    code = json.loads(body)[0]["service_request_id"]
    assert api.act("verifier", code, "verify", 1).status == 200
    assert api.act("verifier", code, "assign", 2, agency_id="dpu").status == 200
    service, port = notifier()
    for event in events(code):
        service.handle(event)
    told = [m for m in port.sent if m.audience == "citizen"]
    assert told and {(m.channel.value, m.recipient) for m in told} == {("email", "warga@example.id")}
    assert "TicketAssigned" in {m.kind for m in told}
