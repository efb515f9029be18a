"""Periodic reports (issue 15, item 7), pure: which period a weekly or monthly report covers, what it says
(received, resolved, overdue, SLA % per stage, ratings, top categories and areas, trend against the
previous period), and how it reads as CSV and as an email in Bahasa Indonesia and English. The numbers
are rows of the statistics (`logic/stats.summary`), credited by attribution like `GET /v1/stats`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from aduan.logic.stats import CITY, NONE, STAGES

Kind = Literal["weekly", "monthly"]
KINDS: tuple[Kind, ...] = ("weekly", "monthly")
TOP = 5
LABELS = {"weekly": ("Laporan mingguan", "Weekly report"), "monthly": ("Laporan bulanan", "Monthly report")}
MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember")
# (key, Indonesian, English): the headline figures, in the order the email, the CSV and the chart show them.
HEADLINE = (("received", "Diterima", "Received"), ("resolved", "Selesai", "Resolved"),
            ("overdue", "Lewat batas waktu", "Overdue"), ("sla_compliance", "Kepatuhan SLA (%)", "SLA compliance (%)"),
            ("first_response_median_hours", "Median tanggapan pertama (jam)", "Median first response (hours)"),
            ("resolution_median_hours", "Median penyelesaian (jam)", "Median resolution (hours)"),
            ("rating_average", "Rata-rata penilaian", "Average rating"), ("ratings", "Jumlah penilaian", "Ratings"))
STAGE_LABELS = {"verification": ("Verifikasi", "Verification"), "disposition": ("Disposisi", "Disposition"),
                "first_response": ("Tanggapan pertama", "First response"),
                "resolution": ("Penyelesaian", "Resolution"), "citizen_reply": ("Balasan pelapor", "Reporter's reply")}


@dataclass(frozen=True)
class Period:
    kind: Kind
    start: date
    end: date  # inclusive

    def previous(self) -> Period:
        return containing(self.kind, self.start - timedelta(days=1))

    def key(self) -> str:
        return f"{self.kind}#{self.start.isoformat()}"


def containing(kind: Kind, day: date) -> Period:
    """The week (Monday to Sunday) or calendar month holding `day`."""
    if kind == "weekly":
        monday = day - timedelta(days=day.weekday())
        return Period(kind, monday, monday + timedelta(days=6))
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(kind, first, following - timedelta(days=1))


def last_complete(kind: Kind, today: date) -> Period:
    return containing(kind, today).previous()


def due_today(today: date) -> list[Kind]:
    """What the daily tick sends on this local day: the week's report on Monday, the month's on the 1st."""
    due: dict[Kind, bool] = {"weekly": today.weekday() == 0, "monthly": today.day == 1}
    return [kind for kind in KINDS if due[kind]]


def title(period: Period) -> tuple[str, str]:
    if period.kind == "monthly":
        return (f"{MONTHS_ID[period.start.month - 1]} {period.start.year}", period.start.strftime("%B %Y"))
    span = f"{period.start.isoformat()} - {period.end.isoformat()}"
    return span, span


def headline(row: Mapping[str, Any], agency: bool = False) -> dict[str, float | int | None]:
    """The figures a report compares, from a statistics row. For an agency, `received` is how often it was
    handed a complaint (complaints are received by the desk) and `resolved` counts the resolutions credited
    to it (its own and its sub-units', docs/organisation.md#evaluation), not only those it held."""
    compliance = row["sla_compliance"]
    resolved = row["resolution_hours"]["count"] if agency else row["resolved"]
    return {"received": row[received_key(agency)], "resolved": resolved,
            "overdue": sum(int(stage["overdue_alerts"]) for stage in row["sla"].values()),
            "sla_compliance": round(100 * compliance, 1) if compliance is not None else None,
            "first_response_median_hours": _number(row["first_response_hours"]["median"]),
            "resolution_median_hours": _number(row["resolution_hours"]["median"]),
            "rating_average": row["ratings"]["average"], "ratings": row["ratings"]["count"]}


def received_key(agency: bool) -> str:
    return "assigned" if agency else "received"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None  # '>720' (open bucket) reads as unknown


def _trend(now: float | int | None, before: float | int | None) -> dict[str, float | int | None]:
    change = round(now - before, 2) if now is not None and before is not None else None
    percent = round(100 * (now - before) / before, 1) if now is not None and before else None
    return {"current": now, "previous": before, "change": change, "change_percent": percent}


def _sla_stages(row: Mapping[str, Any]) -> dict[str, float | None]:
    found: dict[str, float | None] = {}
    for stage in STAGES:
        cell = row["sla"].get(stage)
        if cell is not None:
            found[stage] = round(100 * cell["compliance"], 1) if cell["compliance"] is not None else None
    return found


def _top(current: Mapping[str, Mapping[str, Any]], previous: Mapping[str, Mapping[str, Any]],
         names: Mapping[str, str], agency: bool) -> list[dict[str, Any]]:
    key = received_key(agency)
    ranked = sorted(((value, row[key]) for value, row in current.items() if row[key] and value != NONE),
                    key=lambda item: (-item[1], item[0]))[:TOP]
    return [{"key": value, "name": names.get(value, value), "received": count,
             "previous": (previous.get(value) or {}).get(key, 0)} for value, count in ranked]


def build(period: Period, scope: str, scope_name: str, current: Mapping[str, Any], previous: Mapping[str, Any],
          categories: tuple[Mapping[str, Mapping[str, Any]], Mapping[str, Mapping[str, Any]]],
          areas: tuple[Mapping[str, Mapping[str, Any]], Mapping[str, Mapping[str, Any]]],
          names: Mapping[str, str], timezone: str) -> dict[str, Any]:
    """The report: `current`/`previous` are the scope's statistics rows for this and the previous period;
    `categories`/`areas` the rows by category and by area for both; `names` value -> display name."""
    agency = scope != CITY
    now, before = headline(current, agency), headline(previous, agency)
    earlier = period.previous()
    return {"kind": period.kind, "scope": scope, "scope_name": scope_name, "timezone": timezone,
            "from": period.start.isoformat(), "to": period.end.isoformat(),
            "previous": {"from": earlier.start.isoformat(), "to": earlier.end.isoformat()},
            "figures": {key: _trend(now[key], before[key]) for key, _, _ in HEADLINE},
            "sla_by_stage": {stage: _trend(value, _sla_stages(previous).get(stage))
                             for stage, value in _sla_stages(current).items()},
            "ratings": current["ratings"]["distribution"],
            "top_categories": _top(*categories, names, agency), "top_areas": _top(*areas, names, agency)}


def to_csv(report: Mapping[str, Any]) -> str:
    """One line per figure: section, key, both labels, this period, the previous one, the change."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "key", "label_id", "label_en", "current", "previous", "change", "change_percent"])
    writer.writerow(["period", report["kind"], report["scope_name"], report["scope"], report["from"], report["to"], "",
                     ""])
    for key, label_id, label_en in HEADLINE:
        trend = report["figures"][key]
        writer.writerow(["figure", key, label_id, label_en, *_cells(trend)])
    for stage, trend in report["sla_by_stage"].items():
        label_id, label_en = STAGE_LABELS.get(stage, (stage, stage))
        writer.writerow(["sla_stage", stage, f"Kepatuhan SLA (%): {label_id}", f"SLA compliance (%): {label_en}",
                         *_cells(trend)])
    for score, count in report["ratings"].items():
        writer.writerow(["rating", score, f"Penilaian {score}", f"Rating {score}", count, "", "", ""])
    for section, label_id, label_en in (("top_categories", "Kategori", "Category"), ("top_areas", "Wilayah", "Area")):
        for item in report[section]:
            writer.writerow([section, item["key"], f"{label_id}: {item['name']}", f"{label_en}: {item['name']}",
                             *_cells(_trend(item["received"], item["previous"]))])
    return out.getvalue()


def _cells(trend: Mapping[str, Any]) -> list[Any]:
    return ["" if trend[name] is None else trend[name] for name in ("current", "previous", "change", "change_percent")]


def _shown(value: float | int | None) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _arrow(trend: Mapping[str, Any]) -> str:
    if trend["change"] is None:
        return ""
    percent = f", {trend['change_percent']:+g}%" if trend["change_percent"] is not None else ""
    return f" ({trend['change']:+g}{percent})"


def email_text(report: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, body): Indonesian first, then English; times are the city's local days."""
    label_id, label_en = LABELS[report["kind"]]
    span_id, span_en = title(Period(report["kind"], date.fromisoformat(report["from"]),
                                    date.fromisoformat(report["to"])))
    subject = f"{label_id} Aduan {report['scope_name']}: {span_id} / {label_en}: {span_en}"
    lines = [f"{label_id} {report['scope_name']} — {report['from']} s.d. {report['to']} ({report['timezone']}),"
             f" dibandingkan periode {report['previous']['from']} s.d. {report['previous']['to']}.", ""]
    for key, name_id, _ in HEADLINE:
        lines.append(f"- {name_id}: {_shown(report['figures'][key]['current'])}{_arrow(report['figures'][key])}")
    for stage, trend in report["sla_by_stage"].items():
        lines.append(f"- SLA {STAGE_LABELS.get(stage, (stage, stage))[0]}: {_shown(trend['current'])}%{_arrow(trend)}")
    lines += _tops(report, "Kategori teratas", "Wilayah teratas")
    lines += ["", f"{label_en} {report['scope_name']} — {report['from']} to {report['to']} ({report['timezone']}),"
              f" compared with {report['previous']['from']} to {report['previous']['to']}.", ""]
    for key, _, name_en in HEADLINE:
        lines.append(f"- {name_en}: {_shown(report['figures'][key]['current'])}{_arrow(report['figures'][key])}")
    for stage, trend in report["sla_by_stage"].items():
        lines.append(f"- SLA {STAGE_LABELS.get(stage, (stage, stage))[1]}: {_shown(trend['current'])}%{_arrow(trend)}")
    lines += _tops(report, "Top categories", "Top areas")
    lines += ["", "Grafik terlampir; unduh CSV: GET /v1/stats/reports?format=csv / "
              "Chart attached; CSV download: GET /v1/stats/reports?format=csv"]
    return subject, "\n".join(lines)[:4096]


def _tops(report: Mapping[str, Any], categories: str, areas: str) -> list[str]:
    lines: list[str] = []
    for section, heading in (("top_categories", categories), ("top_areas", areas)):
        if report[section]:
            lines.append(f"{heading}: " + "; ".join(f"{item['name']} {item['received']} ({item['previous']})"
                                                    for item in report[section]))
    return lines
