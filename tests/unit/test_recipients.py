"""Recipient selection: the citizen on their channel (with fallbacks), the agency by email, supervisors,
followers of merged duplicates; anonymous reporters never named to the agency; internal notes and STOP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aduan.logic.notifications import messages
from aduan.logic.recipients import Facts, citizen, select
from aduan.models.config import load_config_dir
from aduan.models.contact import Contact
from aduan.models.events import DomainEvent
from aduan.models.templates import load_templates_dir
from aduan.models.ticket import Actor, Channel, Location, Reporter, Ticket

ROOT = Path(__file__).resolve().parents[2] / "infra" / "config"
CITY = load_config_dir(ROOT / "semarang")
CONFIG = load_templates_dir(ROOT / "templates")
NOW = "2026-11-23T03:00:00.000000Z"
ALL = frozenset({"citizen", "officer", "supervisor"})


def contact(cid: str, **fields: Any) -> Contact:
    channel, address = cid.split(":", 1)
    return Contact(id=cid, channel=Channel(channel), address=address, created_at=NOW, updated_at=NOW, **fields)


WA = contact("whatsapp:+6281111111111", person_id="p1", language="en")
TG = contact("telegram:55501", person_id="p1")
FOLLOWER = contact("telegram:777", language="en")


def facts(**overrides: Any) -> Facts:
    base: dict[str, Any] = dict(event_type="TicketResolved", to_status="resolved", internal=False,
                                actor_role="agency_officer", ticket_channel=Channel.WHATSAPP, reporter_ref=WA.id,
                                agency_emails=("dpu@semarangkota.go.id",), supervisor_emails=("boss@x.go.id",),
                                contacts={WA.id: [WA, TG], FOLLOWER.id: [FOLLOWER]})
    return Facts(**{**base, **overrides})


def ticket(**overrides: Any) -> Ticket:
    return Ticket(id="T1", tracking_code="ADU-7K3Q-9G", title="Jalan berlubang", text="Lubang besar sekali",
                  channel=Channel.WHATSAPP, reporter=Reporter(ref=WA.id, name="Sari Wulandari"),
                  location=Location(address="Jl. Pandanaran"), assigned_agency_id="dpu", category_id="jalan-rusak",
                  created_at=NOW, updated_at=NOW, status_since=NOW, **overrides)


def test_the_citizen_is_reached_on_their_channel_in_their_language_with_fallbacks() -> None:
    [chosen] = select(facts(), frozenset({"citizen"}))
    assert (chosen.address.channel, chosen.address.address, chosen.language) == (Channel.WHATSAPP, WA.address, "en")
    assert [a.channel for a in chosen.fallbacks] == [Channel.TELEGRAM]


def test_a_citizen_who_said_stop_gets_nothing_on_any_channel() -> None:
    stopped = WA.model_copy(update={"opted_out": True})
    assert citizen(WA.id, [stopped, TG], None, "id") is None
    # an opted-out linked identity is simply not a fallback
    chosen = citizen(WA.id, [WA, TG.model_copy(update={"opted_out": True})], None, "id")
    assert chosen is not None and chosen.fallbacks == ()


def test_a_web_reporter_without_a_contact_is_reached_at_the_address_they_typed() -> None:
    chosen = citizen("cognito-sub-1", [], "0812-3456-7890", "id")
    assert chosen is not None and (chosen.address.channel, chosen.address.address) == (Channel.SMS, "+6281234567890")
    assert citizen("cognito-sub-1", [], None, "id") is None


def test_followers_of_merged_duplicates_get_parent_updates_but_not_questions() -> None:
    chosen = select(facts(follower_refs=(FOLLOWER.id, WA.id)), frozenset({"citizen"}))
    assert [(r.address.contact_id, r.follower) for r in chosen] == [(WA.id, False), (FOLLOWER.id, True)]
    asked = select(facts(event_type="TicketStatusChanged", to_status="need_info", follower_refs=(FOLLOWER.id,)),
                   frozenset({"citizen"}))
    assert [r.address.contact_id for r in asked] == [WA.id]


def test_internal_notes_never_reach_citizens_and_own_actions_are_not_echoed() -> None:
    both = frozenset({"citizen", "officer"})
    assert select(facts(event_type="CommentAdded", internal=True), both) == []
    officer_comment = select(facts(event_type="CommentAdded", actor_role="agency_officer"), both)
    assert [r.audience for r in officer_comment] == ["citizen"]
    assert [r.audience for r in select(facts(event_type="SlaEscalated", actor_role=None), ALL)][-1] == "supervisor"
    citizen_comment = select(facts(event_type="CommentAdded", actor_role="citizen"), frozenset({"citizen", "officer"}))
    assert [r.audience for r in citizen_comment] == ["officer"]


def test_intake_already_acknowledged_channel_complaints() -> None:
    created = facts(event_type="TicketCreated", actor_role="citizen", to_status="received")
    assert select(created, frozenset({"citizen"})) == []
    assert len(select(facts(event_type="TicketCreated", actor_role="citizen", ticket_channel=Channel.APP),
                      frozenset({"citizen"}))) == 1


def _render(event: DomainEvent, the_ticket: Ticket, the_facts: Facts) -> dict[str, Any]:
    return {m.audience + ":" + m.recipient: m for m in messages(event, the_ticket, the_facts, CITY, CONFIG)}


def test_anonymous_reporters_are_told_but_never_named_to_the_agency() -> None:
    assigned = DomainEvent(event_id="ev1", event_type="TicketAssigned", tracking_code="ADU-7K3Q-9G",
                           to_status="assigned", actor=Actor(role="verifier", id="v-1"), data={"agency_id": "dpu"})
    agency_emails = tuple(CITY.agency("dpu").emails)  # type: ignore[union-attr]
    named = _render(assigned, ticket(), facts(event_type="TicketAssigned", actor_role="verifier",
                                              agency_emails=agency_emails))
    hidden = _render(assigned, ticket(anonymous=True), facts(event_type="TicketAssigned", actor_role="verifier",
                                                            agency_emails=agency_emails))
    officer_named = next(m for k, m in named.items() if k.startswith("officer:"))
    officer_hidden = next(m for k, m in hidden.items() if k.startswith("officer:"))
    assert "Sari Wulandari" in officer_named.text and "Pelapor: Sari" in officer_named.text
    assert "Sari" not in officer_hidden.text and "Pelapor: Anonim" in officer_hidden.text
    assert WA.address not in officer_hidden.model_dump_json()
    citizen_message = hidden[f"citizen:{WA.address}"]  # the anonymous reporter still hears, in English
    assert citizen_message.text.startswith("Complaint ADU-7K3Q-9G was forwarded to DPU")
    assert citizen_message.data["fallbacks"] == [{"channel": "telegram", "address": "55501", "contact_id": TG.id}]
    again = _render(assigned, ticket(anonymous=True), facts(event_type="TicketAssigned", actor_role="verifier",
                                                           agency_emails=agency_emails))
    assert {m.id for m in again.values()} == {m.id for m in hidden.values()}  # deterministic ids


def test_the_delivery_log_never_shows_the_citizens_address() -> None:
    from datetime import UTC, datetime

    from aduan.logic.delivery_log import entry
    from aduan.models.outbound import OutboundMessage

    message = OutboundMessage(id="msg_1", cause_id="ev", kind="TicketResolved", channel=Channel.WHATSAPP,
                              recipient="+6281111111111", text="x", audience="citizen")
    logged = entry(ticket(anonymous=True), message, "failed", datetime.now(UTC), provider_message_id="wamid.X",
                   error="Recipient 6281111111111 is not on WhatsApp", error_code="131026")
    assert "1111111" not in logged.model_dump_json() and "wamid" not in logged.model_dump_json()
    assert logged.internal and logged.data["error"] == "Recipient <citizen> is not on WhatsApp"
