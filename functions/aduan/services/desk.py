"""The verification desk's bulk actions: the same transitions as one by one, each complaint on its
own (one failure, e.g. a stale version, does not stop the others), answered item by item."""

from __future__ import annotations

from dataclasses import dataclass

from aduan.logic import access
from aduan.logic.access import Principal
from aduan.logic.errors import DomainError
from aduan.logic.status_machine import Action
from aduan.models.api import ComplaintView, TransitionRequest
from aduan.models.desk_bulk import BulkError, BulkItem, BulkItemResult, BulkRequest, BulkResult
from aduan.services.tickets import TicketService


@dataclass
class DeskService:
    tickets: TicketService

    def bulk(self, principal: Principal, request: BulkRequest) -> BulkResult:
        access.require_desk(principal)
        results = [self._one(principal, request, item) for item in request.items]
        succeeded = sum(result.ok for result in results)
        return BulkResult(succeeded=succeeded, failed=len(results) - succeeded, results=results)

    def _one(self, principal: Principal, request: BulkRequest, item: BulkItem) -> BulkItemResult:
        try:
            view = self._apply(principal, request, item)
        except DomainError as error:
            return BulkItemResult(tracking_code=item.tracking_code, ok=False,
                                  error=BulkError(code=error.code, message=error.message))
        return BulkItemResult(tracking_code=view.tracking_code, ok=True, status=view.status, version=view.version,
                              assigned_agency_id=view.assigned_agency_id)

    def _apply(self, principal: Principal, request: BulkRequest, item: BulkItem) -> ComplaintView:
        if request.action == "accept_suggestion":
            return self.tickets.accept_suggestion(principal, item.tracking_code, item.expected_version, request.note)
        command = TransitionRequest(action=Action(request.action), expected_version=item.expected_version,
                                    note=request.note, reason=request.reason, agency_id=request.agency_id,
                                    duplicate_of=request.duplicate_of)
        return self.tickets.transition(principal, item.tracking_code, command)
