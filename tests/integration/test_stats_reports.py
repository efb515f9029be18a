"""Periodic reports over the API and through the delivery machinery (issue 15, item 7): the week of a
complaint Dinkes held untouched, DPU disposed and Bina Marga answered; the city's and DPU's weekly
report as JSON and CSV (role-checked), and the Monday emails to the supervisors and every agency head,
each once, with the chart inline and the CSV attached."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from tests.integration.test_notifications import Provider
from tests.integration.test_sla_engine import World
from tests.integration.test_stats_attribution import (  # noqa: F401 (the fixtures)
    _deliver_to_stats,
    _through_a_sub_unit,
    org_world,
    world,
)

WEEK = {"period": "weekly", "date": "2026-11-25"}
TABLE = "aduan-tickets-test"


def test_weekly_reports_read_by_role_and_downloaded_as_csv(org_world: World) -> None:  # noqa: F811
    api = org_world.api
    _deliver_to_stats(org_world, _through_a_sub_unit(org_world))
    city = api("GET", "/v1/stats/reports", who="supervisor", query=WEEK)
    assert city.status == 200, city.body
    report = city.body
    assert (report["kind"], report["scope"], report["from"], report["to"]) == ("weekly", "city", "2026-11-23",
                                                                               "2026-11-29")
    assert report["figures"]["received"] == {"current": 1, "previous": 0, "change": 1, "change_percent": None}
    assert report["figures"]["resolved"]["current"] == 1
    assert report["sla_by_stage"]["resolution"]["current"] == 100.0
    assert [t["key"] for t in report["top_categories"]] and report["timezone"] == "Asia/Jakarta"

    dpu = api("GET", "/v1/stats/reports", who="dpu", query=WEEK).body  # an officer: its own agency
    assert dpu["scope"] == "agency:dpu" and dpu["figures"]["first_response_median_hours"]["current"] == 2.0
    assert dpu["figures"]["resolution_median_hours"]["current"] == 12.0
    dinkes = api("GET", "/v1/stats/reports", who="supervisor", query={**WEEK, "agency_id": "dinkes"}).body
    assert dinkes["figures"]["first_response_median_hours"]["current"] is None  # never answered: no credit
    assert api("GET", "/v1/stats/reports", who="dpu", query={**WEEK, "agency_id": "dlh"}).status == 403
    assert api("GET", "/v1/stats/reports", who="citizen", query=WEEK).status == 403
    assert api("GET", "/v1/stats/reports", who="supervisor", query={**WEEK, "agency_id": "nope"}).status == 404
    assert api("GET", "/v1/stats/reports", who="supervisor", query={"period": "daily"}).status == 422

    from aduan.handlers.api import handler
    from tests.integration.conftest import Context, rest_event

    download = handler(rest_event("GET", "/v1/stats/reports", None, "dpu", query={**WEEK, "format": "csv"}),
                       Context())  # type: ignore[arg-type]
    headers = {k.lower(): v if isinstance(v, str) else v[0]
               for k, v in {**(download.get("multiValueHeaders") or {}), **(download.get("headers") or {})}.items()}
    assert download["statusCode"] == 200 and headers["content-type"].startswith("text/csv")
    assert 'filename="aduan-weekly-agency-dpu-2026-11-23.csv"' in headers["content-disposition"]
    lines = {(row[0], row[1]): row for row in csv.reader(io.StringIO(download["body"]))}
    assert lines[("figure", "resolution_median_hours")][4] == "12.0"


def test_monday_emails_each_head_and_supervisor_once_with_chart_and_csv(org_world: World) -> None:  # noqa: F811
    from aduan.dal import config_store, template_store
    from aduan.dal.contacts import ContactRepository
    from aduan.dal.deliveries import DeliveryRepository
    from aduan.dal.stats import StatsRepository
    from aduan.dal.tickets import TicketRepository
    from aduan.services.delivery import DeliveryService
    from aduan.services.reports import ReportService
    from aduan.services.stats import StatsService

    _deliver_to_stats(org_world, _through_a_sub_unit(org_world))
    org_world.now = org_world.now.replace(hour=1) + timedelta(days=7)  # Monday 30 November, 08:00 WIB
    queued: list = []

    class Port:
        def send(self, message: object) -> None:
            queued.append(message)

    template_store.clear_cache()
    reporter = ReportService(StatsService(StatsRepository(TABLE), lambda: config_store.load_config(TABLE)),
                             notifications=lambda: template_store.load_templates(TABLE), port=Port)
    first = reporter.send_due()
    again = reporter.send_due()  # the schedule fired twice
    assert {m.cause_id for m in first} == {m.cause_id for m in again}
    assert [m.id for m in first] == [m.id for m in again]
    recipients = {m.recipient: m for m in first}
    supervisor = recipients["pengawas.aduan@semarangkota.go.id"]
    assert supervisor.cause_id == "report#weekly#2026-11-23#city" and supervisor.audience == "supervisor"
    to_dpu = recipients["dpu@semarangkota.go.id"]
    assert to_dpu.cause_id.endswith("#agency:dpu") and "Laporan mingguan Aduan DPU" in (to_dpu.subject or "")
    assert "Weekly report" in (to_dpu.subject or "") and "Resolved: 1" in to_dpu.text
    assert [a["disposition"] for a in to_dpu.data["attachments"]] == ["INLINE", "ATTACHMENT"]

    provider = Provider()
    delivery = DeliveryService(
        deliveries=DeliveryRepository(TABLE), tickets=TicketRepository(TABLE), contacts=ContactRepository(TABLE),
        config=lambda: template_store.load_templates(TABLE), port=lambda: Port(),
        credentials=lambda name: {"from_address": "aduan@semarangkota.go.id"}, transport=provider,
        sleep=lambda seconds: None)
    outcomes = [delivery.deliver(m) for m in (to_dpu, supervisor, to_dpu, supervisor)]
    assert outcomes == ["sent", "sent", "duplicate", "duplicate"]  # once per period per recipient
    sent = provider.requests[0].aws_call
    assert sent is not None and sent[2]["Destination"]["ToAddresses"] == ["dpu@semarangkota.go.id"]
    chart = sent[2]["Content"]["Simple"]["Attachments"][0]
    assert chart["RawContent"][:8] == b"\x89PNG\r\n\x1a\n" and chart["ContentId"] == "chart"
