"""Use cases of the complaint lifecycle: load, decide (pure logic), persist in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from aduan.dal.attachments import presigned_upload
from aduan.dal.ticket_items import pending_entries, queue_key
from aduan.dal.tickets import TicketRepository
from aduan.logic import access, clock, ids, lifecycle, views
from aduan.logic import merge as triage_merge
from aduan.logic.access import Principal
from aduan.logic.errors import Conflict, NotFound, Unprocessable
from aduan.logic.status_machine import AGENCY_OWNED, Action, Status
from aduan.models.api import (
    MAX_UPLOAD_BYTES,
    AttachmentRequest,
    AttachmentUpload,
    CommentRequest,
    ComplaintView,
    NewComplaint,
    Page,
    RatingRequest,
    ReopenRequest,
    TimelineEntryView,
    TransitionRequest,
)
from aduan.models.config import CityConfig
from aduan.models.limits import limits
from aduan.models.ticket import Actor, Attachment, Channel, Location, Reporter, Ticket
from aduan.services.abuse import AbuseGuard, refusal
from aduan.services.private_media import PrivateMedia


@dataclass
class TicketService:
    repository: TicketRepository
    config: Callable[[], CityConfig]
    bucket: Callable[[], str]
    guard: AbuseGuard | None = None  # per-sender rate limit and block list for citizens filing

    # ------------------------------------------------------------------ helpers
    @property
    def _zone(self) -> str:
        return self.config().settings.timezone

    def _policy(self) -> lifecycle.Policy:
        return lifecycle.Policy.of(self.config())

    def _code(self, text: str) -> str:
        code = ids.normalise_tracking_code(text, self.config().settings.tracking_prefix)
        if code is None:
            raise NotFound(f"no complaint {text!r}: tracking codes look like ADU-7K3Q-9G")
        return code

    def _load(self, principal: Principal, text: str) -> Ticket:
        code = self._code(text)
        ticket = self.repository.get(code)
        if ticket is None:
            raise NotFound(f"no complaint {code}")
        access.require_view(principal, ticket)
        return ticket

    def _view(self, ticket: Ticket, principal: Principal) -> ComplaintView:
        return views.complaint(ticket, principal, self._zone)

    # ------------------------------------------------------------------ citizens
    def file(self, principal: Principal, request: NewComplaint) -> ComplaintView:
        return self.file_as(principal, request, Channel(request.channel),
                            Reporter(ref=principal.sub, name=principal.name, contact=request.contact))

    def file_as(self, principal: Principal, request: NewComplaint, channel: Channel, reporter: Reporter,
                abuse_refs: tuple[str, ...] | None = None) -> ComplaintView:
        """File for `reporter` by `principal` (the citizen themself, or an officer at the desk).
        `abuse_refs`: the senders the abuse guard counts (default: the caller)."""
        config = self.config()
        if self.guard is not None and not principal.is_officer:
            for ref in abuse_refs or (principal.sub,):
                admission = self.guard.admit(ref, clock.now())
                if not admission.allowed:
                    raise refusal(admission)
        if request.category_id and config.category(request.category_id) is None:
            raise Unprocessable(f"unknown category {request.category_id!r}",
                                details=[{"field": "category_id", "message": "see GET /v1/categories"}])
        location = Location(**request.location.model_dump()) if request.location else None
        if location and location.area_code and config.area(location.area_code) is None:
            raise Unprocessable(f"unknown area {location.area_code!r}",
                                details=[{"field": "location.area_code", "message": "see GET /v1/areas"}])
        draft = lifecycle.Draft(
            title=request.title, text=request.text, channel=channel, reporter=reporter,
            category_id=request.category_id, location=location,
            anonymous=request.anonymous, confidential=request.confidential,
            complaint_type=request.complaint_type,
        )
        prefix = config.settings.tracking_prefix
        change = self.repository.save_new(lifecycle.open_ticket(draft, principal, prefix, clock.now()), prefix)
        return self._view(change.ticket, principal)

    def filed(self, principal: Principal, code: str) -> ComplaintView:
        """What filing answered, for a replayed `Idempotency-Key`: the complaint as it is now."""
        return self._view(self._load(principal, code), principal)

    def get(self, principal: Principal, text: str) -> ComplaintView:
        code = self._code(text)
        ticket, records, clocks = self.repository.get_with_extras(code)
        if ticket is None:
            raise NotFound(f"no complaint {code}")
        access.require_view(principal, ticket)
        media = PrivateMedia(self.bucket)  # others than the uploader get the copy without EXIF/GPS
        attachments = [views.attachment(record, self._zone, media.url(record, ticket, principal))
                       for record in records]
        view = views.complaint(ticket, principal, self._zone, attachments)
        return view.model_copy(update={"sla": views.sla_status(clocks, self._zone, clock.now())})

    def timeline(self, principal: Principal, text: str, limit: int, cursor: str | None
                 ) -> Page[TimelineEntryView]:
        ticket = self._load(principal, text)
        entries, next_cursor = self.repository.timeline(ticket.tracking_code, limit, cursor,
                                                        pending_entries(ticket))
        return Page(items=views.timeline(entries, ticket, principal, self._zone), next_cursor=next_cursor)

    def mine(self, principal: Principal, limit: int, cursor: str | None) -> Page[ComplaintView]:
        tickets, next_cursor = self.repository.by_reporter(principal.sub, limit, cursor)
        return Page(items=[self._view(ticket, principal) for ticket in tickets], next_cursor=next_cursor)

    def comment(self, principal: Principal, text: str, request: CommentRequest) -> TimelineEntryView:
        ticket = self._load(principal, text)
        self._spend("comment", principal, ticket)
        change = lifecycle.comment(ticket, request.text, principal, request.internal, self._policy(),
                                   clock.now())
        self.repository.save(change)
        return views.timeline(change.entries[:1], change.ticket, principal, self._zone)[0]

    def rate(self, principal: Principal, text: str, request: RatingRequest) -> ComplaintView:
        ticket = self._load(principal, text)
        change = lifecycle.rate(ticket, request.score, request.comment, principal, clock.now())
        self.repository.save(change)
        return self._view(change.ticket, principal)

    def reopen(self, principal: Principal, text: str, request: ReopenRequest) -> ComplaintView:
        command = lifecycle.Command(Action.REOPEN, request.expected_version, reason=request.reason)
        return self._act(principal, text, command)

    def request_upload(self, principal: Principal, text: str, request: AttachmentRequest) -> AttachmentUpload:
        ticket = self._load(principal, text)
        if ticket.status in (Status.CLOSED, Status.REJECTED, Status.DUPLICATE):
            raise Conflict(f"{ticket.tracking_code} is {ticket.status.value}: no more attachments",
                           code="invalid_transition")
        max_bytes = MAX_UPLOAD_BYTES[request.content_type.split("/")[0]]
        if request.size_bytes > max_bytes:
            raise Unprocessable(f"{request.content_type} files are limited to {max_bytes} bytes",
                                details=[{"field": "size_bytes", "message": f"at most {max_bytes}"}])
        self._spend("attachment", principal, ticket)
        moment = clock.now()
        attachment_id = ids.new_id(moment)
        key = f"attachments/{ticket.id}/{attachment_id}"
        record = Attachment(
            id=attachment_id, ticket_id=ticket.id, tracking_code=ticket.tracking_code, key=key,
            filename=request.filename, content_type=request.content_type, max_bytes=max_bytes,
            uploaded_by=Actor(role=principal.primary_role, id=principal.sub),
            created_at=clock.to_storage(moment),
        )
        self.repository.add_attachment(record)
        post = presigned_upload(self.bucket(), key, request.content_type, max_bytes)
        return AttachmentUpload(attachment_id=attachment_id, upload_url=post["url"],
                                fields={k: str(v) for k, v in post["fields"].items()},
                                expires_in_seconds=900, max_bytes=max_bytes)

    def _spend(self, what: Literal["comment", "attachment"], principal: Principal, ticket: Ticket) -> None:
        """Citizens' comments and uploads are bounded (officers' are their work, not abuse)."""
        if self.guard is None or principal.is_officer:
            return
        quota = limits().citizen
        per_complaint, per_hour = ((quota.comments_per_complaint, quota.comments_per_citizen_hour)
                                   if what == "comment" else
                                   (quota.attachments_per_complaint, quota.attachments_per_citizen_hour))
        self.guard.spend(what, principal.sub, ticket.id, per_complaint, per_hour, clock.now())

    # ------------------------------------------------------------------ officers
    def transition(self, principal: Principal, text: str, request: TransitionRequest) -> ComplaintView:
        command = lifecycle.Command(
            action=request.action, expected_version=request.expected_version, note=request.note,
            reason=request.reason, agency_id=request.agency_id, duplicate_of=request.duplicate_of,
            response=request.response,
            complaint_type=request.complaint_type.value if request.complaint_type else None,
        )
        if command.action == Action.MARK_DUPLICATE and command.duplicate_of:
            return self._merge(principal, text, command)
        return self._act(principal, text, command)

    def _parent(self, command: lifecycle.Command) -> Ticket:
        """The original must exist and be a live complaint (not itself a duplicate or rejected)."""
        parent_code = ids.normalise_tracking_code(command.duplicate_of or "",
                                                  self.config().settings.tracking_prefix)
        parent = self.repository.get(parent_code) if parent_code else None
        if parent is None or parent.status in (Status.DUPLICATE, Status.REJECTED):
            raise Unprocessable(f"{command.duplicate_of!r} is not a complaint this can duplicate",
                                details=[{"field": "duplicate_of", "message": "unknown or not open"}])
        return parent

    def _merge(self, principal: Principal, text: str, command: lifecycle.Command) -> ComplaintView:
        """mark_duplicate: the child closes as a duplicate, its reporter follows the parent, and the parent
        counts one more report, all in one transaction (docs/routing.md#duplicates)."""
        parent = self._parent(command)
        command = replace(command, duplicate_of=parent.tracking_code)
        child = self._load(principal, text)
        moment = clock.now()
        merged = lifecycle.apply(child, command, principal, self._policy(), moment)
        parent_change = triage_merge.absorb(parent, child, principal, moment)
        self.repository.save(merged, parent_change)
        return self._view(merged.ticket, principal)

    def _act(self, principal: Principal, text: str, command: lifecycle.Command) -> ComplaintView:
        ticket = self._load(principal, text)
        change = lifecycle.apply(ticket, command, principal, self._policy(), clock.now())
        self.repository.save(change)
        return self._view(change.ticket, principal)

    def accept_suggestion(self, principal: Principal, text: str, expected_version: int,
                          note: str | None = None) -> ComplaintView:
        """The desk agrees with triage: verify (if not yet) and assign to the suggested agency, in one save."""
        ticket = self._load(principal, text)
        suggestion = ticket.suggestion
        if suggestion is None:
            raise Conflict(f"{ticket.tracking_code} has no suggestion yet", code="not_routed")
        if suggestion.agency_id == self.config().desk_agency().id:
            raise Unprocessable("triage found no agency for this complaint: choose one and assign it",
                                details=[{"field": "agency_id", "message": "no suggestion to accept"}])
        policy, moment = self._policy(), clock.now()
        current, entries = ticket, []
        if ticket.status in (Status.RECEIVED, Status.ON_HOLD):
            verified = lifecycle.apply(ticket, lifecycle.Command(Action.VERIFY, expected_version, note=note),
                                       principal, policy, moment)
            current, entries, expected_version = verified.ticket, verified.entries, verified.ticket.version
        reason = f"suggestion accepted: {suggestion.reason} (rule {suggestion.rule_id})"
        assigned = lifecycle.apply(current, lifecycle.Command(Action.ASSIGN, expected_version, note=note or reason,
                                                              agency_id=suggestion.agency_id, reason=reason),
                                   principal, policy, moment)
        self.repository.save(lifecycle.Change(assigned.ticket, [*entries, *assigned.entries], ticket.version))
        return self._view(assigned.ticket, principal)

    def desk_queue(self, principal: Principal, status: Status, order: str, limit: int,
                   cursor: str | None) -> Page[ComplaintView]:
        access.require_desk(principal)
        if status in AGENCY_OWNED:
            raise Unprocessable(f"{status.value} complaints wait in agency queues, not at the desk",
                                details=[{"field": "status", "message": "not a desk status"}])
        tickets, next_cursor = self.repository.queue(queue_key(status, None), order, limit, cursor)
        return Page(items=[self._view(ticket, principal) for ticket in tickets], next_cursor=next_cursor)

    def agency_queue(self, principal: Principal, agency_id: str, status: Status, order: str,
                     limit: int, cursor: str | None) -> Page[ComplaintView]:
        if self.config().agency(agency_id) is None:
            raise NotFound(f"no agency {agency_id!r}")
        access.require_agency_scope(principal, agency_id, tuple(self._policy().path(agency_id)[:-1]))
        if status not in AGENCY_OWNED and status != Status.NEED_INFO:
            raise Unprocessable(f"{status.value} complaints wait at the desk, not in agency queues",
                                details=[{"field": "status", "message": "not an agency status"}])
        tickets, next_cursor = self.repository.queue(queue_key(status, agency_id), order, limit, cursor)
        return Page(items=[self._view(ticket, principal) for ticket in tickets], next_cursor=next_cursor)
