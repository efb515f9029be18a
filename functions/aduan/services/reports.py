"""Periodic reports per agency and for the city (weekly, monthly): read through the API (JSON or CSV,
role-checked) and emailed with a chart to each agency's head and to the supervisors, once per period
per recipient. The email goes through the notification machinery's outbound port: the message id is
derived from (report, period, recipient), so the sender's claim sends it once however often the
schedule fires (docs/statistics.md#periodic-reports)."""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aduan.logic import reports, stats
from aduan.logic.access import Principal
from aduan.logic.errors import Forbidden, NotFound, Unprocessable
from aduan.logic.periods import parse_day
from aduan.logic.status_machine import Role
from aduan.models.config import NOT_ASSIGNABLE, Agency
from aduan.models.outbound import OutboundMessage, OutboundPort, message_id
from aduan.models.templates import NotificationConfig
from aduan.models.ticket import Channel
from aduan.services.stats import StatsService

CHART_ID = "chart"


@dataclass
class ReportService:
    stats: StatsService
    notifications: Callable[[], NotificationConfig] | None = None
    port: Callable[[], OutboundPort] | None = None
    # Statistics rows read while sending one period's reports: every agency's report shares the league's.
    _read: dict[tuple[str, str, reports.Period], dict[str, dict[str, Any]]] = field(default_factory=dict)

    def _rows(self, scope: str, dim: str, period: reports.Period) -> dict[str, dict[str, Any]]:
        key = (scope, dim, period)
        if key not in self._read:
            self._read[key] = self.stats.rows(scope, dim, period.start, period.end)
        return self._read[key]

    # ------------------------------------------------------------------ reading (API)
    def report(self, principal: Principal, kind: str, day: str | None, agency_id: str | None) -> dict[str, Any]:
        self._read.clear()  # an API read sees the statistics as they are now
        if kind not in reports.KINDS:
            raise Unprocessable("period is weekly or monthly", details=[{"field": "period", "message": "unknown"}])
        agency_id = self._allowed(principal, agency_id)
        chosen: reports.Kind = "weekly" if kind == "weekly" else "monthly"
        period = (reports.containing(chosen, parse_day(day, "date")) if day
                  else reports.last_complete(chosen, self.stats.today()))
        return self.build(period, agency_id)

    def _allowed(self, principal: Principal, agency_id: str | None) -> str | None:
        """The agency whose report the caller may read (None: the city's)."""
        if agency_id and self.stats.config().agency(agency_id) is None:
            raise NotFound(f"no agency {agency_id!r}")
        if principal.sees_everything:
            return agency_id
        if Role.AGENCY_OFFICER in principal.roles and principal.agency_id:
            if agency_id not in (None, principal.agency_id):
                raise Forbidden(f"you may only see the reports of {principal.agency_id}")
            return principal.agency_id
        raise Forbidden("periodic reports are for officers; see GET /v1/public/stats")

    def build(self, period: reports.Period, agency_id: str | None) -> dict[str, Any]:
        config = self.stats.config()
        scope = f"agency:{agency_id}" if agency_id else stats.CITY
        agency = config.agency(agency_id) if agency_id else None
        earlier = period.previous()
        rows = [self._row(agency_id, p) for p in (period, earlier)]
        by = {dim: tuple(self._rows(scope, dim, p) for p in (period, earlier)) for dim in ("category", "area")}
        names = {c.id: c.name_id for c in config.categories} | {a.code: a.name for a in config.areas}
        name = agency.short_name if agency else config.settings.city_name
        return reports.build(period, scope, name, rows[0], rows[1], (by["category"][0], by["category"][1]),
                             (by["area"][0], by["area"][1]), names, config.settings.timezone)

    def _row(self, agency_id: str | None, period: reports.Period) -> Mapping[str, Any]:
        if agency_id:  # the agency's row of the league: its own and its sub-units' credits (attribution)
            found = self._rows(stats.CITY, "agency", period).get(agency_id)
        else:
            found = self._rows(stats.CITY, "all", period).get("all")
        return found or stats.summary(Counter(), {}, self.stats.today())

    def csv(self, principal: Principal, kind: str, day: str | None, agency_id: str | None) -> tuple[str, str]:
        """(file name, CSV text)."""
        report = self.report(principal, kind, day, agency_id)
        scope = report["scope"].replace(":", "-")
        return f"aduan-{report['kind']}-{scope}-{report['from']}.csv", reports.to_csv(report)

    # ------------------------------------------------------------------ sending (schedule)
    def send_due(self) -> list[OutboundMessage]:
        """The reports due on this local day (weekly on Monday, monthly on the 1st), to every recipient."""
        sent: list[OutboundMessage] = []
        for kind in reports.due_today(self.stats.today()):
            sent += self.send(reports.last_complete(kind, self.stats.today()))
        return sent

    def send(self, period: reports.Period) -> list[OutboundMessage]:
        assert self.port is not None and self.notifications is not None, "wired by the reports handler"
        config = self.stats.config()
        audiences: list[tuple[str | None, list[str], str]] = [
            (None, list(self.notifications().settings.supervisor_emails), "supervisor")]
        audiences += [(agency.id, _heads(agency), "officer") for agency in config.agencies
                      if agency.kind not in NOT_ASSIGNABLE and not agency.forward and _heads(agency)]
        port = self.port()
        self._read.clear()
        messages: list[OutboundMessage] = []
        for agency_id, recipients, audience in audiences:
            if not recipients:
                continue
            report = self.build(period, agency_id)
            subject, text = reports.email_text(report)
            attachments = _attachments(report)
            for recipient in dict.fromkeys(recipients):
                cause = f"report#{period.key()}#{report['scope']}"
                message = OutboundMessage(
                    id=message_id(cause, recipient, Channel.EMAIL), cause_id=cause, kind=f"report_{period.kind}",
                    channel=Channel.EMAIL, recipient=recipient, audience=audience,
                    text=text, subject=subject, data={"attachments": attachments, "report": report["scope"]})
                port.send(message)
                messages.append(message)
        return messages


def _heads(agency: Agency) -> list[str]:
    return list(agency.head_emails or agency.emails)


def _attachments(report: Mapping[str, Any]) -> list[dict[str, str]]:
    """The chart inline (shown in the HTML part by its Content-ID) and the CSV attached."""
    from aduan.logic.report_chart import chart_png  # Pillow only when a report is emailed, not on API cold starts

    scope = str(report["scope"]).replace(":", "-")
    return [{"file_name": f"aduan-{report['kind']}-{scope}.png", "content_type": "image/png",
             "disposition": "INLINE", "content_id": CHART_ID,
             "content_base64": base64.b64encode(chart_png(report)).decode()},
            {"file_name": f"aduan-{report['kind']}-{scope}-{report['from']}.csv", "content_type": "text/csv",
             "disposition": "ATTACHMENT", "content_base64": base64.b64encode(reports.to_csv(report).encode()).decode()}]
