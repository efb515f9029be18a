"""The officers' daily rating digest (docs/notifications.md#daily-rating-digest): the notifier keeps each
rating with one small write when it happens; the reports function's 07:00 schedule sends one email per
agency for the previous local day through the delivery queue. The message id is derived from (digest,
day, agency, recipient), so a schedule that fires twice sends each digest once (the sender's claim)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from aduan.dal.ratings import RatingStore
from aduan.logic import clock
from aduan.logic.rating_digest import EVENT, Rated, digest_day, excerpt, expires_at, local_day, render
from aduan.models.config import CityConfig
from aduan.models.events import DomainEvent
from aduan.models.outbound import OutboundMessage, OutboundPort, message_id
from aduan.models.templates import NotificationConfig
from aduan.models.ticket import Channel

KIND = "rating_digest"


@dataclass
class RatingDigestService:
    store: RatingStore
    city: Callable[[], CityConfig]
    notifications: Callable[[], NotificationConfig]
    port: Callable[[], OutboundPort] | None = None

    def record(self, event: DomainEvent) -> bool:
        """Keep a `RatingGiven` for its agency's digest of the rating's local day."""
        snapshot = event.ticket.assigned_agency_id if event.ticket else None
        agency_id = str(event.data.get("agency_id") or event.agency_id or snapshot or "")
        score = event.data.get("score")
        if not agency_id or not isinstance(score, int) or not event.tracking_code:
            return False  # nobody to tell (never assigned) or not a rating we can read
        try:
            moment = clock.from_storage(event.occurred_at)
        except ValueError:
            moment = clock.now()
        day = local_day(moment, self.city().settings.timezone)
        chars = self.notifications().settings.digest_excerpt_chars
        self.store.put(day, Rated(agency_id=agency_id, tracking_code=event.tracking_code, score=score,
                                  comment=excerpt(event.note, chars), rated_at=clock.to_storage(moment)),
                       expires_at(day))
        return True

    def send_due(self) -> list[OutboundMessage]:
        """The digests of the local day before now (the schedule runs at 07:00 in the city's zone)."""
        return self.send(digest_day(clock.now(), self.city().settings.timezone))

    def send(self, day: date) -> list[OutboundMessage]:
        assert self.port is not None, "wired by the reports handler"
        notifications, city = self.notifications(), self.city()
        template = notifications.find(EVENT, None, "officer")
        if template is None:
            return []  # the city has no digest template: it sends none
        by_agency: defaultdict[str, list[Rated]] = defaultdict(list)
        for rated in self.store.of_day(day):
            by_agency[rated.agency_id].append(rated)
        port = self.port()
        sent: list[OutboundMessage] = []
        for agency_id, ratings in sorted(by_agency.items()):
            agency = city.agency(agency_id)
            if agency is None or not agency.emails:
                continue
            subject, text = render(template, notifications.settings, agency.short_name,
                                   city.settings.city_name, day, ratings)
            cause = f"{KIND}#{day.isoformat()}#{agency_id}"
            for recipient in dict.fromkeys(agency.emails):
                message = OutboundMessage(
                    id=message_id(cause, recipient, Channel.EMAIL), cause_id=cause, kind=KIND,
                    channel=Channel.EMAIL, recipient=recipient, audience="officer", text=text, subject=subject,
                    data={"agency_id": agency_id, "day": day.isoformat(), "rated": len(ratings)})
                port.send(message)
                sent.append(message)
        return sent
