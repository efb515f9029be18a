"""The public transparency feed: published complaints, by anyone, without signing in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from aduan.dal.tickets import TicketRepository
from aduan.logic import access, ids, publication, views, visibility
from aduan.logic.access import Principal
from aduan.logic.errors import NotFound, Unprocessable
from aduan.logic.periods import day_end_utc, day_start_utc, local_today, parse_day
from aduan.logic.status_machine import Status
from aduan.models.api import AttachmentView, Page
from aduan.models.config import CityConfig
from aduan.models.public import PublicComplaint
from aduan.models.ticket import Attachment, Ticket, TimelineEntry
from aduan.models.transparency import TransparencyConfig
from aduan.services.private_media import PrivateMedia

DEFAULT_DAYS = 90


@dataclass(frozen=True)
class FeedQuery:
    area: str | None = None
    category: str | None = None
    status: str | None = None
    date_from: str | None = None
    date_to: str | None = None


@dataclass
class PublicService:
    repository: TicketRepository
    config: Callable[[], CityConfig]
    transparency: Callable[[], TransparencyConfig]
    bucket: Callable[[], str]

    @property
    def _zone(self) -> str:
        return self.config().settings.timezone

    def view(self, ticket: Ticket, attachments: Sequence[Attachment] = (),
             entries: Sequence[TimelineEntry] = ()) -> PublicComplaint:
        """The public view; photos and steps only when the caller read the attachments and timeline."""
        media = PrivateMedia(self.bucket)  # the public only ever gets the copy without EXIF/GPS
        found = {photo.id: media.url(photo, ticket, None)
                 for photo in publication.public_photos(ticket, list(attachments))}
        urls = {photo_id: url for photo_id, url in found.items() if url}
        decimals = self.transparency().public.anonymous_coordinate_decimals
        agency_names = {agency.id: agency.short_name for agency in self.config().agencies}
        steps = publication.public_steps(list(entries), ticket, self._zone, agency_names)
        return publication.public_complaint(ticket, list(attachments), self._zone, decimals, urls, steps)

    def _code(self, text: str) -> str | None:
        return ids.normalise_tracking_code(text, self.config().settings.tracking_prefix)

    def complaint(self, text: str) -> PublicComplaint:
        """One complaint by its tracking code, with its photos and public steps: one Query of its partition."""
        code = self._code(text)
        ticket, attachments, entries = self.repository.get_with_timeline(code) if code else (None, [], [])
        if ticket is None or not visibility.trackable(ticket):
            raise NotFound(f"no public complaint {text!r}")
        return self.view(ticket, attachments, entries)

    def period(self, date_from: str | None, date_to: str | None, max_days: int | None = None
               ) -> tuple[str, str]:
        """UTC bounds of [from, to] (local days); the last DEFAULT_DAYS days by default."""
        today = local_today(self._zone)
        end = parse_day(date_to, "to") if date_to else today
        start = parse_day(date_from, "from") if date_from else end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise Unprocessable("from is after to", details=[{"field": "from", "message": "after to"}])
        if max_days is not None and (end - start).days + 1 > max_days:
            raise Unprocessable(f"a period may span at most {max_days} days",
                                details=[{"field": "from", "message": f"at most {max_days} days"}])
        return day_start_utc(start, self._zone), day_end_utc(end, self._zone)

    def feed(self, query: FeedQuery, limit: int, cursor: str | None) -> Page[PublicComplaint]:
        start, end = self.period(query.date_from, query.date_to)
        filters: dict[str, list[str]] = {}
        if query.area:
            filters["location.area_code"] = [query.area]
        if query.category:
            filters["category_id"] = [query.category]
        if query.status:
            if query.status not in Status._value2member_map_:
                raise Unprocessable(f"unknown status {query.status!r}",
                                    details=[{"field": "status", "message": "a complaint status"}])
            filters["status"] = [query.status]
        tickets, next_cursor = self.repository.public_feed(start=start, end=end, filters=filters,
                                                           limit=limit, cursor=cursor)
        return Page(items=[self.view(ticket) for ticket in tickets], next_cursor=next_cursor)

    def set_photo_public(self, principal: Principal, text: str, attachment_id: str, public: bool
                         ) -> AttachmentView:
        """An officer decides whether a photo may be shown in the public feed."""
        access.require_desk(principal)
        code = self._code(text)
        if code is None or self.repository.get(code) is None:
            raise NotFound(f"no complaint {text!r}")
        record = self.repository.set_attachment_public(code, attachment_id, public)
        return views.attachment(record, self._zone, None)

