"""Open311 GeoReport v2: every method in JSON and XML, with the spec's error cases."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest

from conftest import Api, Context, rest_event

KEY = "local-open311-demo-key"  # the local demo client in infra/config/transparency


def call(method: str, path: str, form: dict[str, Any] | None = None,
         query: dict[str, str] | None = None) -> tuple[int, str, str]:
    from aduan.handlers.api import handler

    headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
    event = rest_event(method, path, None, None, headers=headers, query=query,
                       raw_body=urlencode(form, doseq=True) if form is not None else None)
    answer = handler(event, Context())  # type: ignore[arg-type]
    content_type = (answer.get("headers") or {}).get("Content-Type", "")
    if not content_type:
        content_type = ((answer.get("multiValueHeaders") or {}).get("Content-Type") or [""])[0]
    return answer["statusCode"], content_type, answer["body"]


def parse(fmt: str, body: str) -> Any:
    if fmt == "json":
        return json.loads(body)
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(body)


def good_form(**extra: Any) -> dict[str, Any]:
    return {"api_key": KEY, "service_code": "jalan-rusak", "lat": "-6.9875", "long": "110.412",
            "description": "Lubang besar di Jl. Pandanaran depan toko oleh-oleh", "email": "warga@example.id",
            "first_name": "Budi", "last_name": "Santoso", "attribute[membahayakan]": "ya", **extra}


FORMATS = ["json", "xml"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(api: Api, fmt: str) -> None:
    status, content_type, body = call("GET", f"/open311/v2/discovery.{fmt}")
    assert status == 200 and content_type.startswith("application/json" if fmt == "json" else "text/xml")
    doc = parse(fmt, body)
    if fmt == "json":
        endpoint = doc["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"] == "https://api.example.test/test/open311/v2"
        assert set(endpoint["formats"]) == {"text/xml", "application/json"} and doc["key_service"]
    else:
        assert doc.tag == "discovery"
        assert [f.text for f in doc.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_and_definitions(api: Api, fmt: str) -> None:
    status, _, body = call("GET", f"/open311/v2/services.{fmt}")
    assert status == 200
    doc = parse(fmt, body)
    if fmt == "json":
        road = next(s for s in doc if s["service_code"] == "jalan-rusak")
        assert road["metadata"] is True and road["type"] == "realtime" and road["group"] == "infrastruktur"
        assert "lubang" in road["keywords"].split(",")
    else:
        road_xml = next(s for s in doc.findall("service") if s.findtext("service_code") == "jalan-rusak")
        assert road_xml.findtext("metadata") == "true" and road_xml.findtext("group") == "infrastruktur"
    status, _, body = call("GET", f"/open311/v2/services/jalan-rusak.{fmt}")
    assert status == 200
    definition = parse(fmt, body)
    if fmt == "json":
        assert definition["service_code"] == "jalan-rusak"
        codes = [a["code"] for a in definition["attributes"]]
        assert codes == ["ukuran", "membahayakan"]
        assert definition["attributes"][0]["values"][0] == {"key": "kecil", "name": "Kecil (< 30 cm)"}
    else:
        assert definition.tag == "service_definition"
        assert [a.findtext("code") for a in definition.findall("attributes/attribute")] == ["ukuran", "membahayakan"]
        assert definition.find("attributes/attribute/values/value/key").text == "kecil"  # type: ignore[union-attr]
    status, _, body = call("GET", f"/open311/v2/services/tidak-ada.{fmt}")
    assert status == 404 and _error_code(fmt, body) == 404


def _error_code(fmt: str, body: str) -> int:
    doc = parse(fmt, body)
    if fmt == "json":
        assert isinstance(doc, list) and doc[0]["description"]
        return int(doc[0]["code"])
    assert doc.tag == "errors" and doc.findtext("error/description")
    return int(doc.findtext("error/code"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_request_then_token_then_request(api: Api, fmt: str) -> None:
    status, _, body = call("POST", f"/open311/v2/requests.{fmt}", good_form(**{"attribute[ukuran]": "besar"}))
    assert status == 201, body
    doc = parse(fmt, body)
    created = doc[0] if fmt == "json" else {e.tag: e.text for e in doc.find("request")}  # type: ignore[union-attr]
    code, token = created["service_request_id"], created["token"]
    assert code.startswith("ADU-") and created["service_notice"]

    status, _, body = call("GET", f"/open311/v2/tokens/{token}.{fmt}")
    assert status == 200
    found = parse(fmt, body)
    assert (found[0]["service_request_id"] if fmt == "json" else found.findtext("request/service_request_id")) == code

    status, _, body = call("GET", f"/open311/v2/requests/{code}.{fmt}")
    assert status == 200
    one = parse(fmt, body)
    request = one[0] if fmt == "json" else {e.tag: e.text for e in one.find("request")}  # type: ignore[union-attr]
    assert request["status"] == "open" and request["service_code"] == "jalan-rusak"
    assert not request["description"]  # not verified by the desk yet
    assert "Budi" not in body and "warga@example.id" not in body
    officer = api("GET", f"/v1/complaints/{code}", who="verifier").body
    assert officer["channel"] == "open311" and "Dangerous for riders?: ya" in officer["text"]
    assert officer["reporter"]["ref"] == "open311:local-demo:warga@example.id"


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_request_errors(api: Api, fmt: str) -> None:
    path = f"/open311/v2/requests.{fmt}"
    cases = [
        ({**good_form(), "api_key": "salah"}, 403),
        ({k: v for k, v in good_form().items() if k != "api_key"}, 403),
        ({k: v for k, v in good_form().items() if k != "service_code"}, 400),
        (good_form(service_code="tidak-ada"), 404),
        ({k: v for k, v in good_form().items() if k not in ("lat", "long")}, 400),
        (good_form(**{"attribute[membahayakan]": "mungkin"}), 400),
        ({k: v for k, v in good_form().items() if k != "attribute[membahayakan]"}, 400),
        (good_form(lat="selatan"), 400),
        (good_form(jurisdiction_id="jakarta.go.id"), 404),
    ]
    for form, expected in cases:
        status, _, body = call("POST", path, form)
        assert status == expected, (form, body)
        assert _error_code(fmt, body) == expected
    anonymous = {k: v for k, v in good_form(address_string="Jl. Pandanaran 12").items()
                 if k not in ("lat", "long", "email", "first_name", "last_name")}
    assert call("POST", path, anonymous)[0] == 201


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_filters_and_the_90_day_rule(api: Api, fmt: str) -> None:
    road = api.file()["tracking_code"]
    api.act("verifier", road, "verify", 1)
    trash = api.file(category_id="sampah", anonymous=True)["tracking_code"]
    api.act("verifier", trash, "verify", 1)
    api.act("verifier", trash, "assign", 2, agency_id="dlh")
    hidden = api.file(confidential=True)["tracking_code"]
    api.act("verifier", hidden, "verify", 1)

    def codes(query: dict[str, str] | None = None) -> list[str]:
        status, _, body = call("GET", f"/open311/v2/requests.{fmt}", query=query)
        assert status == 200, body
        doc = parse(fmt, body)
        if fmt == "json":
            return [r["service_request_id"] for r in doc]
        return [r.findtext("service_request_id") or "" for r in doc.findall("request")]

    assert set(codes()) == {road, trash}
    assert codes({"service_code": "sampah"}) == [trash]
    assert codes({"status": "closed"}) == []
    assert set(codes({"status": "open"})) == {road, trash}
    assert codes({"service_request_id": f"{trash},{hidden},ADU-0000-00"}) == [trash]
    assert codes({"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00+07:00"}) == []
    status, _, body = call("GET", f"/open311/v2/requests.{fmt}",
                           query={"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"})
    assert status == 400 and _error_code(fmt, body) == 400
    for query in ({"status": "pending"}, {"start_date": "kemarin"}):
        status, _, body = call("GET", f"/open311/v2/requests.{fmt}", query=query)
        assert status == 400 and _error_code(fmt, body) == 400

    status, _, body = call("GET", f"/open311/v2/requests/{trash}.{fmt}")
    doc = parse(fmt, body)
    request = doc[0] if fmt == "json" else {e.tag: e.text for e in doc.find("request")}  # type: ignore[union-attr]
    assert request["agency_responsible"] == "Dinas Lingkungan Hidup"
    assert float(request["lat"]) == -6.99 and not request["address"]  # anonymous: coarsened
    assert call("GET", f"/open311/v2/requests/{hidden}.{fmt}")[0] == 404
    assert call("GET", f"/open311/v2/tokens/00000000000000000000000000.{fmt}")[0] == 404


def test_unknown_format_or_resource_is_404(api: Api) -> None:
    for path in ("/open311/v2/services.csv", "/open311/v2/services", "/open311/v2/foo.json"):
        status, _, body = call("GET", path)
        assert status == 404 and json.loads(body)[0]["code"] == 404
