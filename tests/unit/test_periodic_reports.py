"""Periodic reports, pure: the periods a weekly and a monthly report cover, what a report says against
the previous period, its CSV, its bilingual email, its chart, and the SES request carrying chart and CSV."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections import Counter
from datetime import UTC, date, datetime

from PIL import Image

from aduan.adapters.senders.base import Credentials, SendContext
from aduan.adapters.senders.ses_email import SesEmailSender
from aduan.logic import reports, stats
from aduan.logic.report_chart import chart_png
from aduan.models.outbound import OutboundMessage
from aduan.models.ticket import Channel

TODAY = date(2026, 12, 1)


def _row(received: int, resolved: int, met: int, breached: int, frt_hours: float, ratings: dict[int, int]
         ) -> dict:
    flow = Counter({"received": received, "resolved": resolved, "sla_met_resolution": met,
                    "sla_breached_resolution": breached, "overdue_resolution": breached,
                    f"frt_{stats.bucket(frt_hours)}": resolved})
    flow.update({f"rating_{score}": n for score, n in ratings.items()})
    return stats.summary(flow, {}, TODAY)


def test_periods_are_local_weeks_and_calendar_months() -> None:
    week = reports.containing("weekly", date(2026, 11, 26))
    assert (week.start, week.end) == (date(2026, 11, 23), date(2026, 11, 29))
    assert reports.last_complete("weekly", date(2026, 11, 30)) == week
    assert reports.last_complete("monthly", TODAY) == reports.Period("monthly", date(2026, 11, 1), date(2026, 11, 30))
    assert reports.containing("monthly", date(2026, 3, 15)).previous().end == date(2026, 2, 28)
    assert reports.due_today(date(2026, 11, 30)) == ["weekly"] and reports.due_today(TODAY) == ["monthly"]
    assert reports.due_today(date(2026, 6, 1)) == ["weekly", "monthly"] and reports.due_today(date(2026, 12, 2)) == []


def _report() -> dict:
    period = reports.Period("weekly", date(2026, 11, 23), date(2026, 11, 29))
    current = _row(12, 8, 6, 2, 3, {5: 3, 4: 1})
    previous = _row(8, 8, 8, 0, 30, {3: 2})
    categories = ({"jalan-rusak": _row(7, 0, 0, 0, 1, {}), "sampah": _row(5, 0, 0, 0, 1, {})},
                  {"jalan-rusak": _row(2, 0, 0, 0, 1, {})})
    areas = ({"3374060": _row(12, 0, 0, 0, 1, {})}, {})
    return reports.build(period, "city", "Kota Semarang", current, previous, categories, areas,
                         {"jalan-rusak": "Jalan rusak", "sampah": "Sampah", "3374060": "Candisari"}, "Asia/Jakarta")


def test_a_report_compares_every_figure_with_the_previous_period() -> None:
    report = _report()
    figures = report["figures"]
    assert figures["received"] == {"current": 12, "previous": 8, "change": 4, "change_percent": 50.0}
    assert figures["overdue"]["current"] == 2 and figures["overdue"]["previous"] == 0
    assert figures["sla_compliance"]["current"] == 75.0 and figures["sla_compliance"]["change"] == -25.0
    assert (figures["first_response_median_hours"]["current"], figures["first_response_median_hours"]["previous"]) \
        == (4.0, 48.0)
    assert figures["rating_average"]["current"] == 4.75 and figures["ratings"]["current"] == 4
    assert report["sla_by_stage"]["resolution"]["current"] == 75.0
    assert [(t["key"], t["received"], t["previous"]) for t in report["top_categories"]] == [
        ("jalan-rusak", 7, 2), ("sampah", 5, 0)]
    assert report["top_areas"][0]["name"] == "Candisari"
    assert report["previous"] == {"from": "2026-11-16", "to": "2026-11-22"}


def test_the_csv_has_one_line_per_figure_with_both_languages() -> None:
    lines = list(csv.reader(io.StringIO(reports.to_csv(_report()))))
    assert lines[0][:4] == ["section", "key", "label_id", "label_en"]
    by_key = {(line[0], line[1]): line for line in lines[1:]}
    assert by_key[("figure", "received")][2:] == ["Diterima", "Received", "12", "8", "4", "50.0"]
    assert by_key[("sla_stage", "resolution")][4] == "75.0"
    assert by_key[("top_categories", "jalan-rusak")][3] == "Category: Jalan rusak"


def test_the_email_speaks_both_languages_and_the_chart_is_a_png() -> None:
    subject, text = reports.email_text(_report())
    assert subject.startswith("Laporan mingguan Aduan Kota Semarang") and "Weekly report" in subject
    assert "- Diterima: 12 (+4, +50%)" in text and "- Received: 12 (+4, +50%)" in text
    assert "Kategori teratas: Jalan rusak 7 (2)" in text and len(text) <= 4096
    image = Image.open(io.BytesIO(chart_png(_report())))
    assert image.format == "PNG" and image.size == (720, 360)
    assert len(image.getcolors(100000) or []) > 3  # bars were drawn, not a blank canvas


def test_ses_carries_the_chart_inline_and_the_csv_attached() -> None:
    png = chart_png(_report())
    message = OutboundMessage(
        id="msg_1", cause_id="report#weekly#2026-11-23#agency:dpu", kind="report_weekly", channel=Channel.EMAIL,
        recipient="kadis@dpu.semarangkota.go.id", audience="officer", text="Laporan", subject="Laporan mingguan",
        data={"attachments": [
            {"file_name": "r.png", "content_type": "image/png", "disposition": "INLINE", "content_id": "chart",
             "content_base64": base64.b64encode(png).decode()},
            {"file_name": "r.csv", "content_type": "text/csv", "disposition": "ATTACHMENT",
             "content_base64": base64.b64encode(b"a,b\r\n").decode()}]})
    request = SesEmailSender().build(message, Credentials({"from_address": "aduan@semarangkota.go.id"}),
                                     SendContext(now=datetime(2026, 11, 30, tzinfo=UTC)))
    assert request.aws_call is not None
    simple = request.aws_call[2]["Content"]["Simple"]
    chart, table = simple["Attachments"]
    assert chart["RawContent"] == png and chart["ContentDisposition"] == "INLINE" and chart["ContentId"] == "chart"
    assert table["FileName"] == "r.csv" and table["ContentDisposition"] == "ATTACHMENT"
    assert 'src="cid:chart"' in simple["Body"]["Html"]["Data"]
    shown = json.loads(request.body)  # what the outbox shows: sizes, never the bytes
    assert shown["Content"]["Simple"]["Attachments"][0]["RawContent"] == f"<{len(png)} bytes>"


def test_an_agency_report_counts_what_it_was_handed_and_the_resolutions_credited_to_it() -> None:
    period = reports.Period("weekly", date(2026, 11, 23), date(2026, 11, 29))
    row = stats.summary(Counter({"assigned": 3, "resolved": 0, "ttr_4": 2, "received": 0}), {}, TODAY)
    by_category = {"jalan-rusak": stats.summary(Counter({"assigned": 3}), {}, TODAY)}
    report = reports.build(period, "agency:dpu", "DPU", row, stats.summary(Counter(), {}, TODAY),
                           (by_category, {}), ({}, {}), {}, "Asia/Jakarta")
    assert report["figures"]["received"]["current"] == 3 and report["figures"]["resolved"]["current"] == 2
    assert report["top_categories"] == [{"key": "jalan-rusak", "name": "jalan-rusak", "received": 3, "previous": 0}]
