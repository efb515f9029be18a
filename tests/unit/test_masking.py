"""Masking: names as whole words only, any case; contact details for the public and, on anonymous
complaints, for the agency (not the desk)."""

from __future__ import annotations

from aduan.logic.access import Principal
from aduan.logic.masking import MASK, agency_text, mask_contacts, mask_names
from aduan.logic.publication import mask_identity
from aduan.logic.status_machine import Role
from aduan.models.ticket import Actor, Channel, Reporter, Ticket

STAMP = "2026-11-20T03:00:00.000000Z"


def ticket(anonymous: bool, name: str = "Adi Hari") -> Ticket:
    return Ticket(id="01JC0000000000000000000000", tracking_code="ADU-7K3Q-9G", title="Jalan rusak",
                  text="x", channel=Channel.APP, reporter=Reporter(ref="sub-1", name=name, contact=None),
                  anonymous=anonymous, created_at=STAMP, updated_at=STAMP, status_since=STAMP)


def test_name_parts_are_masked_as_whole_words_only() -> None:
    # "hari" (day) is also a word of the reporter's name: masked; "Adisucipto" only starts with "Adi": kept.
    assert mask_names("Setiap hari jalan Adisucipto", ["Adi Hari"]) == f"Setiap {MASK} jalan Adisucipto"
    assert mask_names("Saya ADI HARI, rumah Pak Adi.", ["Adi Hari"]) == f"Saya {MASK}, rumah Pak {MASK}."
    assert mask_names("Hariyanto dan Mahari", ["Adi Hari"]) == "Hariyanto dan Mahari"
    assert mask_names("ditulis adi  hari", ["Adi Hari"]) == f"ditulis {MASK}"  # any spacing, one mask


def test_public_text_keeps_words_that_only_contain_a_name() -> None:
    assert mask_identity("Setiap hari jalan Adisucipto macet", ticket(False)) == \
        f"Setiap {MASK} jalan Adisucipto macet"


def test_contact_details_are_masked() -> None:
    text = "Hubungi 0812-3456-7890 atau +62 812 3456 7890, adi@mail.id, NIK 3374012345678901."
    assert mask_contacts(text) == f"Hubungi {MASK} atau {MASK}, {MASK}, NIK {MASK}."


def test_the_agency_reads_an_anonymous_complaint_without_contact_details_the_desk_with_them() -> None:
    text = "Rumah saya 081234567890, adi@mail.id"
    agency = Principal(sub="o1", roles=frozenset({Role.AGENCY_OFFICER}), agency_id="dpu")
    desk = Principal(sub="v1", roles=frozenset({Role.VERIFIER}))
    owner = Principal(sub="sub-1", roles=frozenset({Role.CITIZEN}))
    assert agency_text(agency, ticket(True), text) == f"Rumah saya {MASK}, {MASK}"
    assert agency_text(desk, ticket(True), text) == text
    assert agency_text(owner, ticket(True), text) == text
    assert agency_text(agency, ticket(False), text) == text  # not anonymous: the agency may call back


def test_the_agencys_email_about_an_anonymous_complaint_carries_no_contact_details() -> None:
    from pathlib import Path

    from aduan.logic.notifications import variables
    from aduan.logic.recipients import Address, Recipient
    from aduan.models.config import load_config_dir
    from aduan.models.events import DomainEvent
    from aduan.models.templates import load_templates_dir

    root = Path(__file__).resolve().parents[2] / "infra" / "config"
    city, templates = load_config_dir(root / "semarang"), load_templates_dir(root / "templates")
    event = DomainEvent(event_id="ev1", event_type="TicketAssigned", tracking_code="ADU-7K3Q-9G",
                        to_status="assigned", note="Hubungi pelapor di 081234567890", internal=False,
                        actor=Actor(role="verifier", id="v-1"), agency_id="dpu")
    complaint = ticket(True).model_copy(update={"title": "Lubang, telp 0812-3456-7890 / adi@mail.id"})
    officer = Recipient("officer", Address(Channel.EMAIL, "dpu@semarangkota.go.id"), "id")
    values = variables(event, complaint, city, templates, officer)
    assert "0812" not in values["title"] + values["note"] and "adi@mail.id" not in values["title"]
    assert values["reporter"] == "Anonim"
    named = variables(event, ticket(False).model_copy(update={"title": complaint.title}), city, templates, officer)
    assert "0812-3456-7890" in named["title"]  # a named reporter's agency may call back
