"""Open311 GeoReport v2 use cases: our categories as services, complaints as service requests."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from aduan.dal.tickets import TicketRepository
from aduan.logic import clock, ids, open311, publication, visibility
from aduan.logic.access import Principal
from aduan.logic.errors import DomainError
from aduan.logic.open311 import MAX_DAYS, MAX_RESULTS, Open311Error
from aduan.logic.periods import FIRST_DAY, LAST_DAY
from aduan.logic.status_machine import Role
from aduan.models.api import TEXT_MAX, NewComplaint
from aduan.models.config import CityConfig
from aduan.models.ticket import Channel, Reporter, Ticket
from aduan.models.transparency import ServiceAttribute, TransparencyConfig
from aduan.services.private_media import PrivateMedia
from aduan.services.tickets import TicketService

MAX_IDS = 50
MAX_QUERIES = 30


def _datetime(text: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{field} must be a w3 datetime like 2026-11-23T08:15:30Z") from None
    if moment.tzinfo is None:
        raise Open311Error(400, f"{field} must include a time zone (Z or +07:00)")
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise Open311Error(400, f"{field} must be between {FIRST_DAY} and {LAST_DAY}")
    return moment.astimezone(UTC)


def _one(form: Mapping[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    value = values[0].strip() if values else ""
    return value or None


@dataclass
class Open311Service:
    repository: TicketRepository
    tickets: TicketService
    config: Callable[[], CityConfig]
    transparency: Callable[[], TransparencyConfig]
    bucket: Callable[[], str]

    @property
    def _settings(self) -> Any:
        return self.transparency().open311

    def check_jurisdiction(self, jurisdiction_id: str | None) -> None:
        if jurisdiction_id and jurisdiction_id != self._settings.jurisdiction_id:
            raise Open311Error(404, f"jurisdiction_id {jurisdiction_id!r} not found")

    def discovery(self, base_url: str) -> dict[str, Any]:
        return open311.discovery(self._settings, base_url)

    def services(self) -> list[dict[str, Any]]:
        config = self.config()
        return open311.services(config, self._settings, config.settings.default_language)

    def definition(self, code: str) -> dict[str, Any]:
        if self.config().category(code) is None:
            raise Open311Error(404, f"service_code {code!r} not found")
        return open311.service_definition(code, self._settings)

    # ------------------------------------------------------------------ POST requests
    def create(self, form: Mapping[str, list[str]], source_ip: str | None = None) -> list[dict[str, Any]]:
        api_key = _one(form, "api_key")
        client = self.transparency().client_for_key(api_key) if api_key else None
        if client is None:
            raise Open311Error(403, "api_key missing or not valid: ask the city for a key (see discovery)")
        self.check_jurisdiction(_one(form, "jurisdiction_id"))
        code = _one(form, "service_code")
        if not code:
            raise Open311Error(400, "service_code was not provided")
        category = self.config().category(code)
        if category is None:
            raise Open311Error(404, f"service_code {code!r} not found")
        answers = self._attributes(form, self._settings.service_attributes.get(code, []))
        location = self._location(form)
        description = _one(form, "description") or ""
        who = _one(form, "email") or _one(form, "phone") or _one(form, "account_id") or _one(form, "device_id")
        name = " ".join(part for part in (_one(form, "first_name"), _one(form, "last_name")) if part) or None
        moment = clock.now()
        principal = Principal(sub=f"open311:{client.id}:{who or 'anon-' + ids.new_id(moment)}",
                              roles=frozenset({Role.CITIZEN}), name=name)
        heading = category.name(self.config().settings.default_language)
        text = "\n".join(part for part in (description, answers) if part) or heading
        if len(text) < 10:
            text = f"{heading}: {text}"
        if len(text) > TEXT_MAX:
            raise Open311Error(400, f"description (with the attributes) is {len(text)} characters; "
                                    f"at most {TEXT_MAX} are accepted")
        try:
            request = NewComplaint(
                title=(description.splitlines()[0][:120] if len(description) >= 3 else heading),
                text=text, category_id=code, location=location, anonymous=who is None,
            )
            # The requester's email (or phone) is where status changes go (recipients.typed_address).
            reporter = Reporter(ref=principal.sub, name=principal.name,
                                contact=_one(form, "email") or _one(form, "phone"))
            view = self.tickets.file_as(principal, request, Channel.OPEN311, reporter,
                                        abuse_refs=self._abuse_refs(client.id, principal.sub if who else None,
                                                                    source_ip))
        except ValidationError as exc:
            raise Open311Error(400, "; ".join(str(e["msg"]) for e in exc.errors())) from None
        except DomainError as exc:
            raise Open311Error(400 if exc.status == 422 else exc.status, exc.message) from None
        media = _one(form, "media_url")
        notice = ("Laporan diterima dan akan diverifikasi / Report received, it will be verified"
                  + (" (media_url noted)" if media else ""))
        return [{"service_request_id": view.tracking_code, "token": view.id, "service_notice": notice,
                 "account_id": _one(form, "account_id")}]

    @staticmethod
    def _abuse_refs(client_id: str, identified: str | None, source_ip: str | None) -> tuple[str, ...]:
        """The abuse guard counts the sender's address too: leaving out (or varying) an e-mail must not
        reset the limit. Only a digest of the address is kept."""
        origin = hashlib.sha256((source_ip or "unknown").encode()).hexdigest()[:20]
        return tuple(ref for ref in (identified, f"open311:{client_id}:ip-{origin}") if ref)

    @staticmethod
    def _attributes(form: Mapping[str, list[str]], questions: list[ServiceAttribute]) -> str:
        lines = []
        for question in questions:
            values = [v for v in form.get(f"attribute[{question.code}]", []) if v.strip()]
            if not values:
                if question.required:
                    raise Open311Error(400, f"attribute[{question.code}] is required for this service")
                continue
            if question.datatype.endswith("valuelist"):
                keys = {value.key for value in question.values}
                if any(v not in keys for v in values) or (question.datatype == "singlevaluelist" and len(values) > 1):
                    raise Open311Error(400, f"attribute[{question.code}] must be one of {sorted(keys)}")
            if question.datatype == "number":
                try:
                    float(values[0])
                except ValueError:
                    raise Open311Error(400, f"attribute[{question.code}] must be a number") from None
            lines.append(f"{question.description}: {', '.join(values)}")
        return "\n".join(lines)

    @staticmethod
    def _location(form: Mapping[str, list[str]]) -> dict[str, Any]:
        lat, lon, address = _one(form, "lat"), _one(form, "long"), _one(form, "address_string")
        address = address or _one(form, "address_id")
        if (lat is None) != (lon is None) or (lat is None and not address):
            raise Open311Error(400, "a location is required: lat and long, or address_string")
        location: dict[str, Any] = {"address": address}
        if lat is not None and lon is not None:
            try:
                location.update(lat=float(lat), lon=float(lon))
            except ValueError:
                raise Open311Error(400, "lat and long must be decimal degrees") from None
        return location

    # ------------------------------------------------------------------ reads
    def _request(self, ticket: Ticket, with_media: bool = False) -> dict[str, Any]:
        media = None
        if with_media:
            _, attachments = self.repository.get_with_attachments(ticket.tracking_code)
            photos = publication.public_photos(ticket, attachments)
            media = PrivateMedia(self.bucket).url(photos[0], ticket, None) if photos else None
        decimals = self.transparency().public.anonymous_coordinate_decimals
        return open311.service_request(ticket, self.config(), decimals, media)

    def _ticket(self, text: str) -> Ticket | None:
        code = ids.normalise_tracking_code(text, self.config().settings.tracking_prefix)
        ticket = self.repository.get(code) if code else None
        return ticket if ticket and visibility.trackable(ticket) else None

    def request(self, text: str) -> list[dict[str, Any]]:
        ticket = self._ticket(text)
        if ticket is None:
            raise Open311Error(404, f"service_request_id {text!r} not found")
        return [self._request(ticket, with_media=True)]

    def token(self, token: str) -> list[dict[str, Any]]:
        code = self.repository.code_for_id(token) if len(token) == 26 else None
        if code is None or self._ticket(code) is None:  # a confidential complaint's code is never revealed
            raise Open311Error(404, f"token {token!r} not found")
        return [{"service_request_id": code, "token": token}]

    def search(self, params: Mapping[str, str]) -> list[dict[str, Any]]:
        if params.get("service_request_id"):
            wanted = [p for p in params["service_request_id"].split(",") if p][:MAX_IDS]
            return [self._request(t) for t in (self._ticket(code) for code in wanted) if t]
        start, end = self._window(params.get("start_date"), params.get("end_date"))
        filters: dict[str, list[str]] = {}
        if params.get("service_code"):
            filters["category_id"] = [c for c in params["service_code"].split(",") if c]
        if params.get("status"):
            filters["status"] = open311.statuses_for([s for s in params["status"].split(",") if s])
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(MAX_QUERIES):
            tickets, cursor = self.repository.public_feed(start=clock.to_storage(start), end=clock.to_storage(end),
                                                          filters=filters, limit=100, cursor=cursor)
            found += [self._request(ticket) for ticket in tickets]
            if cursor is None or len(found) >= MAX_RESULTS:
                break
        return found[:MAX_RESULTS]

    @staticmethod
    def _window(start_text: str | None, end_text: str | None) -> tuple[datetime, datetime]:
        """The spec's default and limit: the last 90 days; an explicit range may not span more."""
        span = timedelta(days=MAX_DAYS)
        start = _datetime(start_text, "start_date") if start_text else None
        end = _datetime(end_text, "end_date") if end_text else None
        if start and end:
            if end < start:
                raise Open311Error(400, "end_date is before start_date")
            if end - start > span:
                raise Open311Error(400, f"start_date and end_date may not span more than {MAX_DAYS} days")
            return start, end
        if start:
            return start, start + span
        end = end or clock.now()
        return end - span, end
