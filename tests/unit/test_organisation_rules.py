"""The organisation as data: the hierarchy is validated at load, seeded for Semarang, and the pure rules
of disposition paths, escalation recipients and places outside the city."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aduan.logic import complaint_types, lifecycle
from aduan.logic.organisation import escalation_emails, escalation_recipients, outside_note
from aduan.models.config import ConfigError, load_config_dir, parse_documents
from aduan.models.sla_config import RungRecipient
from aduan.models.ticket import ComplaintType, Location

CITY = Path(__file__).resolve().parents[2] / "infra" / "config" / "semarang"
CONFIG = load_config_dir(CITY)


def _documents() -> dict[str, object]:
    return {name: json.loads((CITY / f"{name}.json").read_text()) for name in
            ("settings", "agencies", "categories", "areas", "routing")}


def test_semarang_has_an_office_for_every_kecamatan_and_kelurahan_under_its_camat() -> None:
    for area in CONFIG.areas:
        if area.level == "kota":
            continue
        office = CONFIG.office_for_area(area.code)
        assert office is not None and office.kind == area.level, area.code
        if area.level == "kelurahan":
            parent = CONFIG.agency(office.parent_id or "")
            assert parent is not None and parent.area_code == area.parent_code
    assert len([a for a in CONFIG.agencies if a.kind == "kelurahan"]) == 177
    assert {a.id for a in CONFIG.sub_units("dpu")} == {"dpu-bina-marga", "dpu-sda"}


def test_a_sub_unit_under_the_wrong_parent_is_refused_at_load() -> None:
    documents = _documents()
    agencies = documents["agencies"]
    assert isinstance(agencies, list)
    for agency in agencies:
        if agency["id"] == "kel-jomblang":
            agency["parent_id"] = "kec-tembalang"
        if agency["id"] == "dpu-sda":
            agency["parent_id"] = "kec-mijen"
    with pytest.raises(ConfigError) as refused:
        parse_documents(documents, source="city")
    message = str(refused.value)
    assert "kelurahan office 'kel-jomblang'" in message and "'kec-tembalang'" in message
    assert "agency 'dpu-sda' (bidang) needs a parent_id of kind bumd or opd, not 'kecamatan'" in message


def test_the_lifecycle_path_follows_the_hierarchy_and_leaves_out_the_leadership() -> None:
    policy = lifecycle.Policy.of(CONFIG)
    assert policy.path("kel-jomblang") == ["kec-candisari", "kel-jomblang"]
    assert policy.path("dpu") == ["dpu"]
    assert "setda" not in policy.agency_ids and "p3m-desk" not in policy.agency_ids
    assert policy.desk_review is True


def test_escalation_recipients_resolve_against_the_path() -> None:
    rung = (RungRecipient(title_id="Kepala", title_en="Head", agency="holder"),
            RungRecipient(title_id="Atasan", title_en="Above", agency="parent"),
            RungRecipient(title_id="Dinas", title_en="Agency", agency="top"),
            RungRecipient(title_id="Sekda", title_en="Secretary", agency="setda"))
    found = escalation_recipients(rung, ["kec-candisari", "kel-jomblang"], "kel-jomblang")
    assert [r["agency_id"] for r in found] == ["kel-jomblang", "kec-candisari", "kec-candisari", "setda"]
    assert [r["agency_id"] for r in escalation_recipients(rung, [], "dpu")] == ["dpu", "dpu", "dpu", "setda"]
    assert escalation_emails(found, CONFIG) == ("kec.candisari@semarangkota.go.id", "setda@semarangkota.go.id")


def test_outside_the_city_names_the_neighbour_when_one_is_configured() -> None:
    assert outside_note(CONFIG, Location(lat=-6.9875, lon=110.412)) is None
    assert outside_note(CONFIG, Location(address="Jl. Pandanaran")) is None
    kendal = outside_note(CONFIG, Location(lat=-7.0, lon=110.1))
    assert kendal is not None and "Di luar wilayah Kota Semarang" in kendal and "Kabupaten Kendal" in kendal
    far = outside_note(CONFIG, Location(lat=-6.2, lon=106.8))
    assert far is not None and "pemerintah daerah setempat" in far


@pytest.mark.parametrize(("text", "kind"), [
    ("ASPIRASI: mohon dibangun taman baca di RW 3", ComplaintType.ASPIRASI),
    ("#info jadwal posyandu bulan ini?", ComplaintType.PERMINTAAN_INFORMASI),
    ("Permintaan informasi anggaran perbaikan jalan", ComplaintType.PERMINTAAN_INFORMASI),
    ("Jalan berlubang di depan pasar, info dong kapan diperbaiki", ComplaintType.PENGADUAN),
    ("usul: lampu taman ditambah", ComplaintType.ASPIRASI),
])
def test_a_chat_keyword_at_the_start_chooses_the_complaint_type(text: str, kind: ComplaintType) -> None:
    assert complaint_types.from_words(text, CONFIG.settings.type_keywords) == kind
