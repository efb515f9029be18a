"""City configuration: the Semarang seed is valid and complete, and every kind of mistake a city can make
in its files is reported with the file and the item named."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from aduan.models.config import (
    Agency,
    Area,
    CityConfig,
    CitySettings,
    ConfigError,
    bounds,
    load_config_dir,
)
from infra.seed import DEFAULT_CITY_DIR, main

SEMARANG_KECAMATAN = {
    "3374010": "Mijen", "3374020": "Gunungpati", "3374030": "Banyumanik", "3374040": "Gajahmungkur",
    "3374050": "Semarang Selatan", "3374060": "Candisari", "3374070": "Tembalang", "3374080": "Pedurungan",
    "3374090": "Genuk", "3374100": "Gayamsari", "3374110": "Semarang Timur", "3374120": "Semarang Utara",
    "3374130": "Semarang Tengah", "3374140": "Semarang Barat", "3374150": "Tugu", "3374160": "Ngaliyan",
}


@pytest.fixture(scope="module")
def semarang() -> CityConfig:
    return load_config_dir(DEFAULT_CITY_DIR)


def _box(lon0: float, lat0: float, lon1: float, lat1: float) -> dict[str, Any]:
    return {"type": "Polygon",
            "coordinates": [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]]}


def _documents() -> dict[str, Any]:
    """A small valid city to break one piece at a time."""
    return {
        "settings": {"city_code": "contoh", "city_name": "Kota Contoh"},
        "agencies": [
            {"id": "desk", "name": "Meja Aduan", "short_name": "Meja", "kind": "desk", "emails": ["a@b.go.id"]},
            {"id": "dpu", "name": "Dinas Pekerjaan Umum", "short_name": "DPU", "kind": "opd"},
            {"id": "kec-a", "name": "Kecamatan A", "short_name": "Kec. A", "kind": "kecamatan", "area_code": "11"},
        ],
        "categories": [
            {"id": "jalan-rusak", "name_id": "Jalan rusak", "name_en": "Damaged road", "group": "infra",
             "default_agency_id": "dpu", "keywords": [" Jalan Rusak ", "pothole"]},
            {"id": "lainnya", "name_id": "Lainnya", "name_en": "Other", "group": "lainnya"},
        ],
        "areas": [
            {"code": "1", "name": "Kota Contoh", "level": "kota"},
            {"code": "11", "name": "A", "level": "kecamatan", "parent_code": "1", "centroid": [-7.0, 110.4],
             "geometry": _box(110.3, -7.1, 110.5, -6.9)},
        ],
    }


def _write(directory: Path, documents: dict[str, Any]) -> Path:
    for name, document in documents.items():
        (directory / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")
    return directory


def _error(tmp_path: Path, documents: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config_dir(_write(tmp_path, documents))
    return str(caught.value)


# ---------------------------------------------------------------- the Semarang seed

def test_semarang_has_every_kecamatan_as_area_and_office(semarang: CityConfig) -> None:
    kecamatan = {area.code: area for area in semarang.areas if area.level == "kecamatan"}
    assert {code: area.name for code, area in kecamatan.items()} == SEMARANG_KECAMATAN
    assert all(area.parent_code == "3374" for area in kecamatan.values())
    assert semarang.area("3374") is not None and semarang.area("3374").level == "kota"  # type: ignore[union-attr]
    offices = [agency for agency in semarang.agencies if agency.kind == "kecamatan"]
    assert len(offices) == 16
    for code, name in SEMARANG_KECAMATAN.items():
        office = semarang.office_for_area(code)
        assert office is not None and office.name == f"Kecamatan {name}" and office.area_code == code


def test_semarang_desk_categories_and_agencies(semarang: CityConfig) -> None:
    assert semarang.settings.city_code == "semarang" and semarang.settings.timezone == "Asia/Jakarta"
    assert [agency.id for agency in semarang.agencies if agency.kind == "desk"] == ["p3m-desk"]
    assert semarang.desk_agency().parent_id == "diskominfo"
    assert len(semarang.categories) >= 20
    routed = {category.id: category.default_agency_id for category in semarang.categories}
    assert routed["jalan-rusak"] == "dpu" and routed["air-pdam"] == "pdam-tirta-moedal"
    assert routed["listrik-padam"] == "pln-up3-semarang" and routed["sampah"] == "dlh"
    assert routed["pelayanan-wilayah"] is None and routed["lainnya"] is None
    assert semarang.agency("pdam-tirta-moedal").kind == "bumd"  # type: ignore[union-attr]
    assert semarang.agency("pln-up3-semarang").kind == "vertical"  # type: ignore[union-attr]
    for category in semarang.categories:
        assert category.id == "lainnya" or 5 <= len(category.keywords) <= 25, category.id
        assert all(keyword == keyword.lower() for keyword in category.keywords)
    assert semarang.category("nope") is None and semarang.agency("nope") is None and semarang.area("0") is None


def test_semarang_kecamatan_polygons_are_disjoint_and_hold_their_centroids(semarang: CityConfig) -> None:
    boxes = {area.code: bounds(area.geometry) for area in semarang.areas
             if area.level == "kecamatan" and area.geometry}
    assert len(boxes) == 16
    for (a, (ax0, ay0, ax1, ay1)), (b, (bx0, by0, bx1, by1)) in itertools.combinations(boxes.items(), 2):
        overlap = min(ax1, bx1) - max(ax0, bx0) > 1e-9 and min(ay1, by1) - max(ay0, by0) > 1e-9
        assert not overlap, f"{a} and {b} overlap"
    city = semarang.area("3374")
    assert city is not None and city.geometry is not None
    cx0, cy0, cx1, cy1 = bounds(city.geometry)
    assert all(cx0 <= x0 and x1 <= cx1 and cy0 <= y0 and y1 <= cy1 for x0, y0, x1, y1 in boxes.values())


def test_seed_check_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--check"]) == 0
    assert "Kota Semarang" in capsys.readouterr().out
    broken = _documents()
    broken["categories"][0]["default_agency_id"] = "dpu-x"
    assert main(["--check", "--city-dir", str(_write(tmp_path, broken))]) == 2
    assert "dpu-x" in capsys.readouterr().err


# ---------------------------------------------------------------- validation

def test_small_city_loads_with_defaults(tmp_path: Path) -> None:
    config = load_config_dir(_write(tmp_path, _documents()))
    assert config.settings.reopen_window_days == 10 and config.settings.tracking_prefix == "ADU"
    assert config.settings.default_language == "id"
    assert config.category("jalan-rusak").keywords == ["jalan rusak", "pothole"]  # type: ignore[union-attr]
    assert config.category("lainnya").name("en") == "Other"  # type: ignore[union-attr]
    assert config.desk_agency().id == "desk"


def test_unknown_agency_in_category_is_named(tmp_path: Path) -> None:
    documents = _documents()
    documents["categories"][0]["default_agency_id"] = "dpu-x"
    assert "category 'jalan-rusak' names unknown agency 'dpu-x'" in _error(tmp_path, documents)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    documents = _documents()
    documents["categories"][0]["default_agency_id"] = "dpu-x"
    documents["agencies"][1]["parent_id"] = "pemkot"
    documents["agencies"][2]["area_code"] = "99"
    documents["areas"][1]["parent_code"] = "2"
    message = _error(tmp_path, documents)
    assert "agency 'dpu' names unknown parent agency 'pemkot'" in message
    assert "agency 'kec-a' names unknown area '99'" in message
    assert "area '11' names unknown parent area '2'" in message
    assert "'dpu-x'" in message


@pytest.mark.parametrize(("document", "index", "field", "expected"), [
    ("agencies", 1, "id", "duplicate agency id 'desk'"),
    ("categories", 1, "id", "duplicate category id 'jalan-rusak'"),
    ("areas", 0, "code", "duplicate area code '11'"),
])
def test_duplicate_ids(tmp_path: Path, document: str, index: int, field: str, expected: str) -> None:
    documents = _documents()
    others = [item for i, item in enumerate(documents[document]) if i != index]
    documents[document][index][field] = others[0][field]
    if document == "areas":  # the kota is gone, so the kecamatan may not point at it
        documents["areas"][1].pop("parent_code")
    assert expected in _error(tmp_path, documents)


def test_exactly_one_desk(tmp_path: Path) -> None:
    documents = _documents()
    documents["agencies"][1]["kind"] = "desk"
    assert "exactly one agency must be of kind 'desk', found 2" in _error(tmp_path, documents)
    documents["agencies"][0]["kind"] = documents["agencies"][1]["kind"] = "opd"
    assert "found 0" in _error(tmp_path, documents)


def test_bad_timezone_names_settings_file(tmp_path: Path) -> None:
    documents = _documents()
    documents["settings"]["timezone"] = "Mars/Olympus"
    message = _error(tmp_path, documents)
    assert "settings.json" in message and "timezone" in message and "Mars/Olympus" in message


def test_unclosed_ring_names_areas_file_and_item(tmp_path: Path) -> None:
    documents = _documents()
    documents["areas"][1]["geometry"]["coordinates"][0][-1] = [110.31, -7.1]
    message = _error(tmp_path, documents)
    assert "areas.json" in message and "item 1 ('11')" in message and "not closed" in message


@pytest.mark.parametrize(("geometry", "expected"), [
    ({"type": "Point", "coordinates": [110.4, -7.0]}, "must be 'Polygon' or 'MultiPolygon'"),
    ({"type": "Polygon", "coordinates": [[[110.3, -7.1], [110.5, -7.1], [110.3, -7.1]]]}, "at least 4"),
    ({"type": "Polygon", "coordinates": [[[-7.1, 210.3], [-7.1, 110.5], [-6.9, 110.5], [-7.1, 210.3]]]},
     "out of range"),
    ({"type": "MultiPolygon", "coordinates": [[]]}, "polygon 0 has no rings"),
    ({**_box(110.3, -7.1, 110.5, -6.9), "properties": {}}, "unexpected geometry keys"),
])
def test_bad_geometry(geometry: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        Area(code="11", name="A", level="kecamatan", centroid=(-7.0, 110.4), geometry=geometry)


def test_swapped_centroid_is_caught() -> None:
    # Near Semarang the range checks catch a swap; where |lat| and |lon| are both under 90 only this does.
    with pytest.raises(ValidationError, match="are lat and lon swapped"):
        Area(code="x", name="X", level="kota", centroid=(10.5, 50.5), geometry=_box(10.0, 50.0, 11.0, 51.0))
    with pytest.raises(ValidationError, match=r"is not \(lat, lon\)"):
        Area(code="x", name="X", level="kota", centroid=(110.4, -7.0))


def test_multipolygon_accepted() -> None:
    geometry = {"type": "MultiPolygon", "coordinates": [_box(110.3, -7.1, 110.4, -7.0)["coordinates"],
                                                        _box(110.4, -7.0, 110.5, -6.9)["coordinates"]]}
    area = Area(code="11", name="A", level="kecamatan", centroid=(-7.0, 110.4), geometry=geometry)
    assert bounds(geometry) == (110.3, -7.1, 110.5, -6.9) and area.geometry == geometry


def test_bad_json_names_the_file(tmp_path: Path) -> None:
    _write(tmp_path, _documents())
    (tmp_path / "categories.json").write_text('[{"id": "x",}]', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"categories\.json: invalid JSON at line 1"):
        load_config_dir(tmp_path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    _write(tmp_path, _documents())
    (tmp_path / "areas.json").unlink()
    with pytest.raises(ConfigError, match=r"areas\.json: missing"):
        load_config_dir(tmp_path)


def test_field_errors_name_file_and_item(tmp_path: Path) -> None:
    documents = _documents()
    documents["agencies"][1]["emails"] = ["dpu at semarangkota"]
    documents["agencies"][1]["colour"] = "red"
    message = _error(tmp_path, documents)
    assert "agencies.json" in message and "item 1 ('dpu').emails" in message
    assert "not an email address: 'dpu at semarangkota'" in message and "colour" in message


def test_office_area_level_and_uniqueness(tmp_path: Path) -> None:
    documents = _documents()
    documents["agencies"][2]["area_code"] = "1"
    assert "agency 'kec-a' (kecamatan) names area '1' of level 'kota'" in _error(tmp_path, documents)
    documents = _documents()
    documents["agencies"].append({**documents["agencies"][2], "id": "kec-a2"})
    assert "agencies 'kec-a' and 'kec-a2' are both the office of area '11'" in _error(tmp_path, documents)


def test_area_parent_level_and_agency_cycles(tmp_path: Path) -> None:
    documents = _documents()
    documents["areas"].append({"code": "111", "name": "Kel", "level": "kelurahan", "parent_code": "1"})
    assert "area '111' (kelurahan) cannot have parent '1' (kota)" in _error(tmp_path, documents)
    documents = _documents()
    documents["agencies"][1]["parent_id"] = "kec-a"
    documents["agencies"][2]["parent_id"] = "dpu"
    assert "agency 'dpu' is its own ancestor" in _error(tmp_path, documents)


@pytest.mark.parametrize(("change", "expected"), [
    ({"city_code": "Kota Semarang"}, "city_code"),
    ({"tracking_prefix": "adu"}, "tracking_prefix"),
    ({"tracking_prefix": "ADUAN"}, "tracking_prefix"),
    ({"reopen_window_days": 0}, "reopen_window_days"),
    ({"reopen_window_days": 61}, "reopen_window_days"),
    ({"default_language": "jv"}, "default_language"),
])
def test_settings_bounds(change: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        CitySettings.model_validate({"city_code": "semarang", "city_name": "Kota Semarang", **change})


def test_updated_copy_is_revalidated_and_reindexed(tmp_path: Path) -> None:
    config = load_config_dir(_write(tmp_path, _documents()))
    extra = Agency(id="dlh", name="Dinas Lingkungan Hidup", short_name="DLH", kind="opd")
    copy = config.model_copy(update={"agencies": [*config.agencies, extra]})
    assert copy.agency("dlh") == extra and config.agency("dlh") is None
    with pytest.raises(ValidationError, match="duplicate agency id 'dpu'"):
        config.model_copy(update={"agencies": [*config.agencies, config.agencies[1]]})


def test_models_are_frozen_and_strict() -> None:
    agency = Agency(id="dpu", name="Dinas", short_name="DPU", kind="opd")
    with pytest.raises(ValidationError):
        agency.name = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="kind"):
        Agency.model_validate({"id": "dpu", "name": "Dinas", "short_name": "DPU", "kind": "dinas"})
    with pytest.raises(ValidationError, match="id"):
        Agency(id="DPU Kota", name="Dinas", short_name="DPU", kind="opd")
