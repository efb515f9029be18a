"""Point-in-polygon, address matching, geohash cells, and the precedence of routing rules."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from aduan.logic import geo, routing_rules
from aduan.logic.triage import suggest
from aduan.models.config import CityConfig, ConfigError, load_config_dir, parse_documents
from aduan.models.ticket import Channel, Location, Reporter, Ticket
from infra.seed import DEFAULT_CITY_DIR

SQUARE_WITH_HOLE = {"type": "Polygon", "coordinates": [
    [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
    [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
]}
CONCAVE = {"type": "MultiPolygon", "coordinates": [
    [[[0, 0], [10, 0], [10, 10], [8, 10], [8, 2], [2, 2], [2, 10], [0, 10], [0, 0]]],
    [[[20, 20], [21, 20], [21, 21], [20, 20]]],
]}


@cache
def semarang() -> CityConfig:
    return load_config_dir(DEFAULT_CITY_DIR)


@pytest.mark.parametrize(("geometry", "lat", "lon", "inside"), [
    (SQUARE_WITH_HOLE, 1, 1, True), (SQUARE_WITH_HOLE, 5, 5, False), (SQUARE_WITH_HOLE, 11, 5, False),
    (CONCAVE, 5, 1, True), (CONCAVE, 5, 5, False), (CONCAVE, 1, 5, True), (CONCAVE, 20.2, 20.5, True),
])
def test_point_in_polygon_handles_holes_concave_shapes_and_multipolygons(
        geometry: dict[str, Any], lat: float, lon: float, inside: bool) -> None:
    assert geo.contains(geometry, lat, lon) is inside


def test_a_point_is_located_in_its_kelurahan_inside_its_kecamatan() -> None:
    config = semarang()
    area = geo.locate_point(config.areas, -6.9875, 110.412)
    assert area is not None and area.level == "kelurahan" and area.parent_code == "3374130"
    assert routing_rules.area_chain(config, area) == [area.code, "3374130", "3374"]
    assert geo.locate_point(config.areas, -6.2, 106.8) is None  # Jakarta


@pytest.mark.parametrize(("address", "expected"), [
    ("Jl. Pahlawan No. 5, Kel. Pleburan, Kec. Semarang Selatan", "Pleburan"),
    ("depan masjid, kelurahan srondol wetan", "Srondol Wetan"),
    ("Kecamatan Semarang Tengah", "Semarang Tengah"),
    ("dekat Simpang Lima", "Pleburan"),
    ("pojok Kota Lama", "Tanjung Mas"),
    ("Semarang", None),
    ("Jl. Sriwijaya, Tegalsari", "Tegalsari"),
])
def test_area_names_and_landmarks_are_found_in_addresses(address: str, expected: str | None) -> None:
    found = geo.match_address(semarang().areas, address)
    assert (found.area.name if found else None) == expected


def test_covering_cells_hold_every_point_within_the_radius_and_do_not_depend_on_data() -> None:
    lat, lon = -6.99, 110.42
    cells = geo.covering_cells(lat, lon, 250)
    assert 1 <= len(cells) <= 4
    for dlat, dlon in [(0.002, 0.002), (-0.002, 0.0015), (0.0, -0.0022), (0.0022, 0.0)]:
        assert geo.distance_m(lat, lon, lat + dlat, lon + dlon) < 400
        assert geo.geohash(lat + dlat, lon + dlon) in cells or geo.distance_m(lat, lon, lat + dlat, lon + dlon) > 250
    assert geo.geohash(-6.99, 110.42, 6) == geo.geohash(-6.99, 110.42, 9)[:6]
    assert len(geo.covering_cells(lat, lon, 2000)) > len(cells)


def _ticket(text: str, category: str | None = None, lat: float | None = None, lon: float | None = None,
            address: str | None = None) -> Ticket:
    stamp = "2026-11-23T01:00:00.000000Z"
    return Ticket(id="01J", tracking_code="ADU-AAAA-AA", title="", text=text, category_id=category,
                  location=Location(lat=lat, lon=lon, address=address), channel=Channel.WEB,
                  reporter=Reporter(ref="warga"), created_at=stamp, updated_at=stamp, status_since=stamp)


def test_an_area_specific_rule_wins_over_the_general_one_by_order() -> None:
    config = semarang()
    centre = suggest(config, _ticket("PKL jualan di trotoar", lat=-6.9875, lon=110.412), "ev", "now")
    elsewhere = suggest(config, _ticket("PKL jualan di trotoar", lat=-7.05, lon=110.44), "ev", "now")
    assert (centre.rule_id, centre.agency_id) == ("pkl-pusat-kota-satpol", "satpol-pp")
    assert (elsewhere.rule_id, elsewhere.agency_id) == ("pkl-kecamatan", "kec-tembalang")
    assert elsewhere.area_method == "point" and elsewhere.area_name


def test_auto_assign_only_where_the_rule_allows_and_the_classifier_is_sure() -> None:
    config = semarang()
    sure = suggest(config, _ticket("Kebakaran rumah, api besar, rumah terbakar"), "ev", "now")
    road = suggest(config, _ticket("Jalan berlubang", category="jalan-rusak"), "ev", "now")
    vague = suggest(config, _ticket("air di sini"), "ev", "now")
    assert sure.agency_id == "damkar" and sure.auto_assign and sure.priority == "urgent"
    assert road.agency_id == "dpu" and not road.auto_assign and road.category_source == "citizen"
    assert not vague.auto_assign


def test_without_a_place_an_area_office_rule_falls_through_to_the_next() -> None:
    config = semarang()
    nowhere = suggest(config, _ticket("Lurah tidak mau tanda tangan surat pengantar"), "ev", "now")
    located = suggest(config, _ticket("Lurah tidak mau tanda tangan surat pengantar",
                                      address="Kelurahan Jomblang"), "ev", "now")
    assert nowhere.rule_id == "desk-fallback" and nowhere.agency_id == "p3m-desk"
    assert located.agency_id == "kec-candisari" and located.area_method == "address"


def test_a_place_named_only_in_the_words_locates_a_chat_complaint() -> None:
    config = semarang()
    named = suggest(config, _ticket("Lurah tidak mau tanda tangan surat pengantar, saya warga Kelurahan Jomblang"),
                    "ev", "now")
    given = suggest(config, _ticket("Pedagang di Kelurahan Jomblang", lat=-7.05, lon=110.44), "ev", "now")
    assert named.agency_id == "kec-candisari" and named.area_method == "text"
    assert given.area_method == "point" and given.area_name != named.area_name  # a shared point wins over words


def test_an_agency_that_returned_the_ticket_is_not_suggested_again() -> None:
    config = semarang()
    again = suggest(config, _ticket("Jalan berlubang", category="jalan-rusak"), "ev", "now", excluded={"dpu"})
    assert again.agency_id == "p3m-desk" and again.excluded_agency_ids == ["dpu"]


def test_priority_from_category_and_keywords() -> None:
    config = semarang()
    assert routing_rules.priority(config, "pohon-tumbang", "", "dahan patah")[0] == "high"
    assert routing_rules.priority(config, "jalan-rusak", "", "banjir dan jalan rusak")[0] == "urgent"
    assert routing_rules.priority(config, "jalan-rusak", "", "lubang kecil berbahaya")[0] == "high"
    assert routing_rules.priority(config, None, "", "mohon dicek")[0] == "normal"


def test_config_errors_name_the_unknown_agency_category_and_area() -> None:
    documents = semarang().model_dump(mode="json", exclude_none=True)
    documents["routing"]["rules"].append({"id": "broken", "order": 1, "categories": ["ufo"], "areas": ["9999"],
                                          "agency_id": "dinas-ufo"})
    with pytest.raises(ConfigError) as error:
        parse_documents(documents, source="city")
    message = str(error.value)
    assert "unknown agency 'dinas-ufo'" in message and "unknown category 'ufo'" in message
    assert "unknown area '9999'" in message and "'broken'" in message
    documents["routing"]["rules"][-1] = {"id": "both", "order": 1, "agency_id": "dpu", "to_area_office": True}
    with pytest.raises(ConfigError, match="exactly one of agency_id or to_area_office"):
        parse_documents(documents, source="city")


def test_a_city_without_routing_json_still_loads_with_defaults() -> None:
    documents = semarang().model_dump(mode="json", exclude_none=True)
    del documents["routing"]
    config = parse_documents(documents, source="city")
    assert config.routing.rules == [] and config.routing.duplicates.radius_m == 250
    chosen = suggest(config, _ticket("Jalan berlubang", category="jalan-rusak"), "ev", "now")
    assert (chosen.agency_id, chosen.rule_id) == ("dpu", "category-default")
