"""The ticket aggregate's item layout in the single table (docs/data-model.md): the items of one
ticket, their keys, the index keys the head carries, and the transaction items of a change. Pure: no
AWS calls (the repository, dal/tickets.py, makes them).

Items under one partition `T#<tracking code>`:
  `#BODY`                        the bulky fields the citizen and triage wrote (text, routing's suggestion,
                                  duplicate candidates, followers): written with the head when they change,
                                  so a status change rewrites a head under 1 KB (half the write units)
  `#OUTCOME`                      what handling it produced (answer draft, resolution, rating, rejection
                                  reason, returning agencies): small, so an answer or a rating does not
                                  rewrite the citizen's text; absent until one of them is set
  `#TICKET`                       the ticket head, with the GSI keys of its queues; fields at their
                                  default are not stored
  `#SLA`                          the SLA clocks (dal/sla_store.py): the head's SLA fields (expected
                                  datetime, overdue, next due) are read from it, never written on the head
  `A#<attachment id>`             attachment records
  `EV#<utc time>#<n>#<event id>`  immutable timeline entries; each is also the outbox record of its
                                  domain event: the table stream feeds them to the event relay.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aduan.dal import codec
from aduan.logic.geo import geohash
from aduan.logic.status_machine import AGENCY_OWNED, Status
from aduan.logic.visibility import listed
from aduan.models.events import TicketSnapshot
from aduan.models.ticket import PRIORITY_RANK, Attachment, Change, Ticket, TimelineEntry

HEAD = "#TICKET"
BODY = "#BODY"  # the parts sort before the head and the clocks: the status read's one Query finds them all
OUTCOME = "#OUTCOME"
# What makes a head large, in items beside it that a change writes only when their fields changed; queues
# read them with the head (same BatchGetItem).
PARTS: dict[str, frozenset[str]] = {
    BODY: frozenset({"text", "suggestion", "duplicate_candidates", "follower_refs"}),
    OUTCOME: frozenset({"answer_draft", "resolution", "rating", "rejection_reason", "returned_by"}),
}
BODY_FIELDS = PARTS[BODY] | PARTS[OUTCOME]
PART_ENTITIES = {BODY: "ticket_body", OUTCOME: "ticket_outcome"}
EVENT_PREFIX = "EV#"
ATTACHMENT_PREFIX = "A#"
SLA_CLOCKS = "#SLA"  # the SLA engine's clocks of this ticket (dal/sla_store.py)
PUBLIC_FEED = "PUBLIC"  # partition of the sparse public_by_date index (see docs/data-model.md)
# One index serves a queue in both orders (docs/data-model.md): sorted by `urgency_sk` = `<rank>#<created_at>`
# ("urgent"), and oldest first as the merge of its rank ranges. A second index sorted by age alone would
# cost every change of status two more index writes (its key moves too).
QUEUE_INDEX = "queue_by_urgency"
QUEUE_INDEXES = {"urgent": QUEUE_INDEX, "due": "queue_by_due"}
QUEUE_KEYS = ("pk", "sk", "queue_pk", "urgency_sk")  # a queue index entry's key (a rank's place in a cursor)
RANKS = sorted(set(PRIORITY_RANK.values()))


def ticket_pk(code: str) -> str:
    return f"T#{code}"


def queue_key(status: Status, agency_id: str | None) -> str:
    owner_status = status
    if agency_id and (status in AGENCY_OWNED or status == Status.NEED_INFO):
        return f"AGENCY#{agency_id}#{owner_status.value}"
    return f"DESK#{owner_status.value}"


def ticket_queue_key(ticket: Ticket) -> str:
    return holder_queue_key(ticket.status, ticket.assigned_agency_id, ticket.resume_status)


def holder_queue_key(status: Status, agency_id: str | None, resume_status: Status | None) -> str:
    """The queue a ticket in `status` waits in (waiting on the reporter: the queue of whoever asked)."""
    if status == Status.NEED_INFO and resume_status not in AGENCY_OWNED:
        return queue_key(status, None)
    return queue_key(status, agency_id)


# Worked out from the `#SLA` clocks whenever a head is read (sla_fields), so the SLA engine never
# rewrites the head to keep them current.
SLA_HEAD_FIELDS = frozenset({"expected_datetime", "overdue", "sla_due_at"})


def sla_fields(clocks_document: dict[str, Any] | None) -> dict[str, Any]:
    """The head's SLA fields from the stored clocks (none yet: the model's defaults)."""
    if not clocks_document:
        return {}
    from aduan.logic import sla  # the SLA logic only where clocks are read
    from aduan.models.sla import TicketClocks

    return sla.head_fields(TicketClocks.model_validate(clocks_document))


def part_document(ticket: Ticket, part: str) -> dict[str, Any]:
    return ticket.model_dump(mode="json", exclude_defaults=True, include=set(PARTS[part]))


def part_items(ticket: Ticket) -> list[dict[str, Any]]:
    """The `#BODY` and `#OUTCOME` items whose fields differ from what was read (a part not read counts as
    empty: a new ticket writes its body, and its outcome once there is one)."""
    stored = json.loads(ticket._stored_body) if ticket._stored_body else {}
    items = []
    for part in PARTS:
        document = part_document(ticket, part)
        if document != stored.get(part, {}):
            document.update(pk=ticket_pk(ticket.tracking_code), sk=part, entity=PART_ENTITIES[part])
            items.append(codec.to_item(document))
    return items


def ticket_from_items(head: dict[str, Any], parts: dict[str, dict[str, Any]], clocks: dict[str, Any] | None
                      ) -> Ticket:
    """A stored ticket from its head, parts and clocks. A head written before bodies existed has it all, and
    a body written before outcomes had their own item may hold outcome fields: such a part is not recorded
    as read, so the next change writes it without them."""
    ticket = Ticket.model_validate({**head, **parts.get(BODY, {}), **parts.get(OUTCOME, {}),
                                    **sla_fields(clocks)})
    read = {part: part_document(ticket, part) for part, document in parts.items()
            if not (set(document) & (BODY_FIELDS - PARTS[part]))}
    ticket._stored_body = json.dumps(read) if read else None
    return ticket


def head_item(ticket: Ticket) -> dict[str, Any]:
    document = ticket.model_dump(mode="json", exclude_defaults=True, exclude=set(SLA_HEAD_FIELDS | BODY_FIELDS))
    document.update(
        status=ticket.status.value, priority=ticket.priority.value, version=ticket.version,
        pk=ticket_pk(ticket.tracking_code),
        sk=HEAD,
        entity="ticket",
        # Only heads carry it (entries and attachments have `ticket_id`), which keeps `by_ticket_id` sparse.
        head_ticket_id=ticket.id,
        reporter_pk=f"R#{ticket.reporter.ref}",
        queue_pk=ticket_queue_key(ticket),
        urgency_sk=f"{PRIORITY_RANK[ticket.priority]}#{ticket.created_at}",
    )
    if in_public_index(ticket):
        document["public_pk"] = PUBLIC_FEED
    cell = geo_key(ticket)
    if cell:
        document["geo_pk"] = cell  # sparse index: only complaints with a category and a point
    return codec.to_item(document)


# A published complaint under answer review is hidden from the public (visibility.listed) but keeps its
# entry in `public_by_date`, so the review costs no index delete and re-add; the feed checks `listed`.
KEPT_IN_PUBLIC_INDEX = frozenset({Status.IN_REVIEW})


def in_public_index(ticket: Ticket) -> bool:
    return listed(ticket) or (not ticket.confidential and ticket.status in KEPT_IN_PUBLIC_INDEX)


def geo_cell_key(category_id: str, cell: str) -> str:
    return f"G#{category_id}#{cell}"


def geo_key(ticket: Ticket) -> str | None:
    """The duplicate-search index key: category and geohash cell (by_geocell, sorted by created_at)."""
    category = ticket.category_id or (ticket.suggestion.category_id if ticket.suggestion else None)
    where = ticket.location
    if not category or where is None or where.lat is None or where.lon is None:
        return None
    return geo_cell_key(category, geohash(where.lat, where.lon))


def entry_item(entry: TimelineEntry, index: int, ticket: Ticket | TicketSnapshot | None) -> dict[str, Any]:
    """A timeline entry as stored, with the ticket as it was: the outbox record the relay publishes (workers
    that know the ticket only from the event they handle pass that event's snapshot). None: history that is
    no domain event (a notification's delivery log), kept off the bus: the relay's stream filter passes
    only `entity = event`."""
    document = entry.model_dump(mode="json")
    document.update(pk=ticket_pk(entry.tracking_code), entity="log" if ticket is None else "event",
                    sk=f"{EVENT_PREFIX}{entry.occurred_at}#{index}#{entry.event_id}")
    if ticket is not None:
        snapshot = ticket if isinstance(ticket, TicketSnapshot) else TicketSnapshot.of(ticket)
        document["ticket_snapshot"] = snapshot.model_dump(mode="json")
    return codec.to_item(document)


def change_writes(table: str, change: Change) -> list[dict[str, Any]]:
    """The transaction items of one ticket change: its head (conditional on the version it replaces, or on
    the tracking code being free) first, then the parts it changed, then its new timeline entries (each
    written once)."""
    writes: list[dict[str, Any]] = []
    if change.new:
        writes.append({"Put": {"TableName": table, "Item": head_item(change.ticket),
                               "ConditionExpression": "attribute_not_exists(pk)"}})
    elif change.expected_version is not None:
        writes.append({"Put": {"TableName": table, "Item": head_item(change.ticket),
                               "ConditionExpression": "version = :expected",
                               "ExpressionAttributeValues": {":expected": codec.value(change.expected_version)}}})
    if writes:  # the parts that changed, guarded by the head's condition in the same transaction
        writes.extend({"Put": {"TableName": table, "Item": item}} for item in part_items(change.ticket))
    writes.extend({"Put": {"TableName": table, "Item": entry_item(entry, index, change.ticket),
                           "ConditionExpression": "attribute_not_exists(sk)"}}
                  for index, entry in enumerate(change.entries))
    return writes


def attachment_item(attachment: Attachment) -> dict[str, Any]:
    document = attachment.model_dump(mode="json")
    document.update(pk=ticket_pk(attachment.tracking_code), sk=f"{ATTACHMENT_PREFIX}{attachment.id}",
                    entity="attachment")
    return codec.to_item(document)


def rank_of(index_item: dict[str, Any]) -> int:
    return int(index_item["urgency_sk"]["S"].partition("#")[0])


def created_order(index_item: dict[str, Any]) -> tuple[str, str]:
    """Oldest first across ranks: creation time (after the rank in `urgency_sk`), then tracking code."""
    return index_item["urgency_sk"]["S"].partition("#")[2], index_item["pk"]["S"]


def split_partition(items: Sequence[dict[str, Any]]
                    ) -> tuple[Ticket | None, list[Attachment], dict[str, Any] | None, list[TimelineEntry]]:
    """A ticket partition's raw items sorted out: head (with its SLA fields), attachments, SLA clocks and
    timeline entries (in sort-key order, i.e. oldest first)."""
    head, parts, attachments, clocks, entries = None, {}, [], None, []
    for raw in items:
        document = codec.from_item(raw)
        if document["sk"] == HEAD:
            head = document
        elif document["sk"] in PARTS:
            parts[document["sk"]] = document
        elif document["sk"].startswith(ATTACHMENT_PREFIX):
            attachments.append(Attachment.model_validate(document))
        elif document["sk"] == SLA_CLOCKS:
            clocks = document
        elif document["sk"].startswith(EVENT_PREFIX):
            entries.append(TimelineEntry.model_validate(document))
    ticket = ticket_from_items(head, parts, clocks) if head else None
    return ticket, attachments, clocks, entries
