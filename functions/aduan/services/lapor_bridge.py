"""The SP4N-LAPOR! bridge's scheduled run: pull the reports LAPOR! disposed to the city since the saved
cursor and file each as a complaint on channel `lapor`, exactly once per LAPOR! id.

Each complaint is saved together with its guard item `LAPOR#<id>` (dal/lapor_state.py), so a report
pulled twice (a page re-read after a crash, LAPOR! sending it again) is filed once. The cursor is saved
after its whole page is filed: a run that dies mid-page re-reads that page next time. The reporter is a
`lapor:<id>` contact, so what the city tells them travels back to their LAPOR! report through the
notifier and the sender (logic/forward_messages.lapor_update); nothing is pushed from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aduan.adapters.lapor import LaporPort
from aduan.adapters.senders.lapor import LaporUnavailable
from aduan.dal.contacts import ContactRepository
from aduan.dal.lapor_state import LaporState, report_guard
from aduan.dal.tickets import GuardTaken, TicketRepository
from aduan.logic import clock, lifecycle
from aduan.logic.access import Principal
from aduan.logic.status_machine import Role
from aduan.logic.text import first_line_title
from aduan.models.config import CityConfig
from aduan.models.contact import Contact, contact_id
from aduan.models.lapor import LaporReport, LaporSettings
from aduan.models.ticket import Channel, Location, Reporter

BRIDGE = Principal(sub="lapor-bridge", roles=frozenset({Role.SYSTEM}))
MIN_TEXT = 10  # what a complaint's text needs at least (models/api.py NewComplaint)


@dataclass
class BridgeRun:
    configured: bool = True
    pages: int = 0
    filed: list[str] = field(default_factory=list)  # tracking codes of the new complaints
    known: int = 0  # reports filed by an earlier run
    error: str | None = None  # LAPOR! unreachable or unreadable: the next run tries again


@dataclass
class LaporBridge:
    tickets: TicketRepository
    contacts: ContactRepository
    state: LaporState
    config: Callable[[], CityConfig]
    port: Callable[[LaporSettings], LaporPort | None]  # None: no token configured

    def run(self, has_time: Callable[[], bool] = lambda: True) -> BridgeRun:
        city = self.config()
        settings = city.settings.lapor
        port = self.port(settings) if settings is not None and settings.enabled else None
        if settings is None or port is None:
            return BridgeRun(configured=False)
        result = BridgeRun()
        cursor = self.state.cursor()
        while result.pages < settings.max_pages and has_time():
            try:
                page = port.pull(cursor)
            except LaporUnavailable as error:
                result.error = str(error)
                break
            result.pages += 1
            for report in page.reports:
                code = self.file(report, city)
                if code is None:
                    result.known += 1
                else:
                    result.filed.append(code)
            if not page.next_cursor or page.next_cursor == cursor:
                break
            cursor = page.next_cursor
            self.state.save_cursor(cursor, clock.to_storage(clock.now()))
            if not page.reports:
                break
        return result

    def file(self, report: LaporReport, city: CityConfig) -> str | None:
        """The new complaint's tracking code, or None when the report was filed before."""
        if self.state.complaint_of(report.id) is not None:
            return None
        moment = clock.now()
        reporter = self._reporter(report)
        where = report.location
        location = Location(lat=where.lat, lon=where.lon, address=where.address) if where and (
            where.address or (where.lat is not None and where.lon is not None)) else None
        text = report.text if len(report.text) >= MIN_TEXT else f"{report.text} (SP4N-LAPOR! {report.id})"
        draft = lifecycle.Draft(
            title=_title(report), text=f"{text}\n\n[SP4N-LAPOR! {report.id}]", channel=Channel.LAPOR,
            reporter=reporter, location=location, anonymous=report.anonymous, confidential=report.confidential,
            complaint_type=report.complaint_type)
        prefix = city.settings.tracking_prefix
        stamp = clock.to_storage(moment)
        try:
            stored = self.tickets.save_new(
                lifecycle.open_ticket(draft, BRIDGE, prefix, moment), prefix,
                guard=lambda drawn: report_guard(report.id, drawn.ticket.tracking_code, stamp))
        except GuardTaken:
            return None  # another run filed it first
        return stored.ticket.tracking_code

    def _reporter(self, report: LaporReport) -> Reporter:
        """The LAPOR! report is the reporter's address: updates to them are pushes to it."""
        identity = contact_id(Channel.LAPOR, report.id)
        name = None if report.anonymous else report.reporter_name
        if self.contacts.get(identity) is None:
            stamp = clock.to_storage(clock.now())
            self.contacts.put(Contact(id=identity, channel=Channel.LAPOR, address=report.id, display_name=name,
                                      provider="lapor", created_at=stamp, updated_at=stamp))
        return Reporter(ref=identity, name=name)


def _title(report: LaporReport) -> str:
    for candidate in (report.title, report.text):
        line = first_line_title(candidate) if candidate and candidate.strip() else ""
        if len(line) >= 3:
            return line
    return f"Laporan SP4N-LAPOR! {report.id}"
