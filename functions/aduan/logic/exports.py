"""CSV rows of an export, pure. A caller who is not entitled (anyone but the desk and supervisors)
gets the public rules: no reporter, masked text, coarse location for anonymous complaints, and no
content at all for confidential ones."""

from __future__ import annotations

from collections import Counter
from typing import Any

from aduan.logic import publication, stats
from aduan.logic.clock import for_display
from aduan.logic.text import csv_cell
from aduan.models.ticket import Ticket

COMPLAINT_COLUMNS = ("tracking_code", "created_at", "status", "category_id", "assigned_agency_id", "channel",
                     "area_code", "priority", "title", "text", "lat", "lon", "address", "anonymous", "confidential",
                     "reporter_name", "reporter_contact", "resolved_at", "closed_at", "rating", "reopen_count")
STATS_COLUMNS = ("day", "group_by", "key", *stats.FLOW_COUNTERS, "sla_met", "sla_breached",
                 "first_response_count", "resolution_count", "rating_count", "rating_sum")
CONFIDENTIAL = "[rahasia / confidential]"


def complaint_row(ticket: Ticket, entitled: bool, zone: str, decimals: int) -> list[Any]:
    where = ticket.location
    lat, lon, address = (where.lat, where.lon, where.address) if where else (None, None, None)
    title, text = ticket.title, ticket.text
    reporter_name, reporter_contact = ticket.reporter.name, ticket.reporter.contact
    if not entitled:
        reporter_name = reporter_contact = None
        if ticket.confidential:
            title = text = CONFIDENTIAL
            lat = lon = address = None
        else:
            title, text = publication.mask_identity(title, ticket), publication.mask_identity(text, ticket)
            address = publication.mask_identity(address, ticket) if address else None
        if ticket.anonymous:
            lat = round(lat, decimals) if lat is not None else None
            lon = round(lon, decimals) if lon is not None else None
            address = None
    row = [ticket.tracking_code, for_display(ticket.created_at, zone), ticket.status.value, ticket.category_id,
            ticket.assigned_agency_id, ticket.channel.value, where.area_code if where else None,
            ticket.priority.value, title, text, lat, lon, address, ticket.anonymous, ticket.confidential,
            reporter_name, reporter_contact, for_display(ticket.resolved_at, zone), for_display(ticket.closed_at, zone),
            ticket.rating.score if ticket.rating else None, ticket.reopen_count]
    return [csv_cell(cell) for cell in row]  # a title like =HYPERLINK(...) stays text in a spreadsheet


def stats_row(day: str, group_by: str, key: str, counters: Counter[str]) -> list[Any]:
    met = sum(n for name, n in counters.items() if name.startswith("sla_met_"))
    breached = sum(n for name, n in counters.items() if name.startswith("sla_breached_"))
    frt = sum(n for name, n in counters.items() if name.startswith("frt_"))
    ttr = sum(n for name, n in counters.items() if name.startswith("ttr_"))
    ratings = {int(name[7:]): n for name, n in counters.items() if name.startswith("rating_")}
    return [day, group_by, key, *(counters.get(name, 0) for name in stats.FLOW_COUNTERS), met, breached, frt, ttr,
            sum(ratings.values()), sum(score * n for score, n in ratings.items())]
