"""CSV exports: an officer asks (202 + id), a worker streams the file to S3, the officer fetches a
presigned link. Complaints are read by key queries on the queue index (created_at range per queue
partition), statistics from their cells; nothing is held in memory beyond a page and a part."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from aduan.dal.attachments import presigned_download
from aduan.dal.exports import ExportRepository, upload_csv, wake_worker
from aduan.dal.stats import StatsRepository
from aduan.dal.ticket_items import queue_key
from aduan.dal.tickets import TicketRepository
from aduan.logic import clock, exports, ids, stats
from aduan.logic.access import Principal
from aduan.logic.errors import DomainError, Forbidden, NotFound, Unprocessable
from aduan.logic.periods import day_end_utc, day_start_utc, days, parse_day
from aduan.logic.status_machine import Role, Status
from aduan.models.config import CityConfig
from aduan.models.exports import ExportRequest, ExportView
from aduan.models.ticket import Ticket
from aduan.models.transparency import TransparencyConfig

MAX_DAYS = 366


@dataclass
class ExportService:
    records: ExportRepository
    tickets: TicketRepository
    stats: StatsRepository
    config: Callable[[], CityConfig]
    transparency: Callable[[], TransparencyConfig]
    bucket: Callable[[], str]
    queue_url: Callable[[], str]

    # ------------------------------------------------------------------ API
    def request(self, principal: Principal, body: ExportRequest) -> ExportView:
        if not principal.is_officer:
            raise Forbidden("exports are for officers")
        start, end = parse_day(body.date_from, "from"), parse_day(body.date_to, "to")
        if start > end or (end - start).days >= MAX_DAYS:
            raise Unprocessable(f"from must be on or before to, at most {MAX_DAYS} days apart",
                                details=[{"field": "from", "message": "invalid period"}])
        moment = clock.now()
        record = {"export_id": ids.new_id(moment), "kind": body.kind, "status": "pending",
                  "date_from": body.date_from, "date_to": body.date_to, "group_by": body.group_by,
                  "requested_by": principal.sub, "entitled": principal.sees_everything,
                  "agency_id": None if principal.sees_everything else principal.agency_id,
                  "created_at": clock.to_storage(moment)}
        self.records.create(record)  # durable before we answer; the message only wakes the worker
        wake_worker(self.queue_url(), str(record["export_id"]))
        return self._view(record)

    def get(self, principal: Principal, export_id: str) -> ExportView:
        record = self.records.get(export_id)
        if record is None or not (record["requested_by"] == principal.sub or Role.SUPERVISOR in principal.roles):
            raise NotFound(f"no export {export_id}")
        url = presigned_download(self.bucket(), record["key"], 3600) if record["status"] == "done" else None
        return self._view(record, url)

    def _view(self, record: dict[str, Any], url: str | None = None) -> ExportView:
        zone = self.config().settings.timezone
        return ExportView(export_id=record["export_id"], kind=record["kind"], status=record["status"],
                          date_from=record["date_from"], date_to=record["date_to"], rows=record.get("rows"),
                          bytes=record.get("bytes"), created_at=clock.for_display(record.get("created_at"), zone),
                          finished_at=clock.for_display(record.get("finished_at"), zone), download_url=url,
                          error=record.get("error"))

    # ------------------------------------------------------------------ worker
    def run(self, export_id: str, part_bytes: int | None = None) -> None:
        record = self.records.get(export_id)
        if record is None:
            raise NotFound(f"no export {export_id}")
        if record["status"] == "done":
            return  # a redelivered message: the file exists
        self.records.update(export_id, status="running", error=None)
        key = f"exports/{export_id}/{record['kind']}-{record['date_from']}-{record['date_to']}.csv"
        header: tuple[str, ...] = exports.COMPLAINT_COLUMNS
        rows = self._complaint_rows(record)
        if record["kind"] == "statistics":
            header, rows = exports.STATS_COLUMNS, self._stats_rows(record)
        try:
            extra = {"part_bytes": part_bytes} if part_bytes else {}
            count, size = upload_csv(self.bucket(), key, header, rows, **extra)
        except (DomainError, ValueError, OverflowError) as error:
            # The request itself cannot be produced (a stored period out of range): retrying cannot help,
            # so the export fails for its requester and the message is done with, not sent to the DLQ.
            self.records.update(export_id, status="failed", error=f"{type(error).__name__}: {error}"[:500])
            return
        except Exception as error:
            self.records.update(export_id, status="failed", error=f"{type(error).__name__}: {error}"[:500])
            raise
        self.records.update(export_id, status="done", key=key, rows=count, bytes=size,
                            finished_at=clock.to_storage(clock.now()))

    def _complaint_rows(self, record: dict[str, Any]) -> Iterator[list[Any]]:
        zone = self.config().settings.timezone
        start = day_start_utc(parse_day(record["date_from"], "from"), zone)
        end = day_end_utc(parse_day(record["date_to"], "to"), zone)
        decimals = self.transparency().public.anonymous_coordinate_decimals
        for ticket in self._tickets(record.get("agency_id"), start, end):
            yield exports.complaint_row(ticket, bool(record.get("entitled")), zone, decimals)

    def _tickets(self, agency_id: str | None, start: str, end: str) -> Iterator[Ticket]:
        """Every ticket created in the period, by queue partition (an agency: only its own queues)."""
        agencies: list[str | None] = [agency_id] if agency_id else [None, *(a.id for a in self.config().agencies)]
        keys = sorted({queue_key(status, agency) for status in Status for agency in agencies})
        if agency_id:
            keys = [key for key in keys if key.startswith(f"AGENCY#{agency_id}#")]
        for key in keys:
            yield from self.tickets.created_between(key, start, end)

    def _stats_rows(self, record: dict[str, Any]) -> Iterator[list[Any]]:
        start, end = parse_day(record["date_from"], "from"), parse_day(record["date_to"], "to")
        agency = record.get("agency_id")
        group = record["group_by"]
        scope = f"agency:{agency}" if agency and group != "agency" else stats.CITY
        for day in days(start, end):
            cells = self.stats.flow(scope, group, day, day)
            for (cell_day, value), counters in sorted(cells.items()):
                if agency and group == "agency" and value != agency:
                    continue
                yield exports.stats_row(cell_day, group, value, counters)

