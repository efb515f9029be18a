"""Abuse protection: per-sender rate limit (TTL counters) and the supervisors' block list. A refused
sender gets a polite answer in both languages and nothing is created."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from aduan.logic import clock
from tests.integration.conftest import Api

START = datetime(2026, 11, 23, 2, 10, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[list[datetime]]:
    now = [START]
    clock.set_clock(lambda: now[0])
    yield now
    clock.set_clock(None)


@pytest.fixture(autouse=True)
def ten_an_hour(api: Api) -> None:
    """The limits these tests count against, whatever the seed says."""
    from aduan.dal import config_store
    from aduan.models.routing_config import AbuseLimits

    config = config_store.load_config("aduan-tickets-test")
    routing = config.routing.model_copy(update={"abuse": AbuseLimits(per_hour=10, per_day=30)})
    config_store.save_config("aduan-tickets-test", config.model_copy(update={"routing": routing}))


def _mine(api: Api, who: str) -> int:
    return len(api("GET", "/v1/me/complaints", who=who, query={"limit": "100"}).body["items"])


def test_a_sender_over_the_hourly_limit_is_told_politely_and_nothing_is_filed(
        api: Api, frozen: list[datetime]) -> None:
    for _ in range(10):
        api.file(who="citizen2")
    refused = api("POST", "/v1/complaints", {"title": "Jalan rusak", "text": "Jalan rusak lagi"}, "citizen2")
    assert refused.status == 429 and refused.body["error"]["code"] == "rate_limited"
    details = refused.body["error"]["details"]
    assert "Mohon maaf" in details["reply_id"] and "try again in 50 minutes" in details["reply_en"]
    assert details["retry_after_seconds"] == 50 * 60 + 1
    assert _mine(api, "citizen2") == 10
    assert api("POST", "/v1/complaints", {"title": "Jalan rusak", "text": "Lain orang"}, "citizen").status == 201
    frozen[0] = START + timedelta(hours=1)
    api.file(who="citizen2")  # a new hour
    assert _mine(api, "citizen2") == 11


def test_a_blocked_sender_is_refused_until_a_supervisor_lifts_the_block(api: Api) -> None:
    body = {"sender_ref": "citizen-2", "reason": "Mengirim iklan berulang kali"}
    assert api("POST", "/v1/blocked-senders", body, who="verifier").status == 403
    blocked = api("POST", "/v1/blocked-senders", body, who="supervisor")
    assert blocked.status == 201 and blocked.body["blocked_by"] == "supervisor-1"
    refused = api("POST", "/v1/complaints", {"title": "Promo", "text": "Jual pulsa murah"}, "citizen2")
    assert refused.status == 403 and refused.body["error"]["code"] == "sender_blocked"
    assert "tidak dapat kami terima" in refused.body["error"]["details"]["reply_id"]
    assert _mine(api, "citizen2") == 0
    listed = api("GET", "/v1/blocked-senders", who="supervisor").body["items"]
    assert [(entry["sender_ref"], entry["active"]) for entry in listed] == [("citizen-2", True)]
    lifted = api("POST", "/v1/blocked-senders/unblock", {"sender_ref": "citizen-2"}, who="supervisor")
    assert lifted.status == 200 and lifted.body["active"] is False and lifted.body["unblocked_by"] == "supervisor-1"
    assert api("POST", "/v1/blocked-senders/unblock", {"sender_ref": "citizen-2"}, who="supervisor").status == 404
    api.file(who="citizen2")
    assert _mine(api, "citizen2") == 1


def test_the_guard_admits_channel_contacts_by_their_contact_id(api: Api) -> None:
    from aduan.wiring import abuse_guard

    guard, sender = abuse_guard(), "whatsapp:+6281234567890"
    answers = [guard.admit(sender, START + timedelta(minutes=n)) for n in range(31)]
    assert all(answer.allowed for answer in answers[:10]) and not answers[10].allowed
    late = [guard.admit(sender, START + timedelta(hours=h)) for h in range(1, 30)]
    daily = next(answer for answer in late if not answer.allowed)
    assert daily.reason == "rate_limited" and daily.retry_after_seconds is not None
    assert daily.retry_after_seconds > 3600  # the day's limit waits for the next day, not the next hour
