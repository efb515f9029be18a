"""The ticket aggregate in DynamoDB (single table; see docs/data-model.md).

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

import base64
import binascii
import heapq
import itertools
import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from botocore.exceptions import ClientError

from aduan.dal import codec
from aduan.dal.clients import client
from aduan.logic import lifecycle
from aduan.logic.errors import Conflict, NotFound, Unprocessable
from aduan.logic.geo import geohash
from aduan.logic.publication import listed
from aduan.logic.status_machine import AGENCY_OWNED, Status
from aduan.models.events import DomainEvent, TicketSnapshot, read_event
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
MAX_PAGE = 100
CODE_ATTEMPTS = 5  # tracking codes drawn for one new ticket before giving up
MAX_BATCH_GET = 100  # keys per BatchGetItem
PUBLIC_FEED = "PUBLIC"  # partition of the sparse public_by_date index (see docs/data-model.md)
# One index serves a queue in both orders (docs/data-model.md): sorted by `urgency_sk` = `<rank>#<created_at>`
# ("urgent"), and oldest first as the merge of its rank ranges. A second index sorted by age alone would
# cost every change of status two more index writes (its key moves too).
QUEUE_INDEX = "queue_by_urgency"
QUEUE_INDEXES = {"urgent": QUEUE_INDEX, "due": "queue_by_due"}
QUEUE_KEYS = ("pk", "sk", "queue_pk", "urgency_sk")  # a queue index entry's key (a rank's place in a cursor)
RANKS = sorted(set(PRIORITY_RANK.values()))
OLDEST_CURSOR = "oldest"


class CodeTaken(Exception):
    """A new ticket drew a tracking code that already exists."""


class GuardTaken(Exception):
    """The guard item of a change already exists: the change was made before (exactly-once intake)."""


def ticket_pk(code: str) -> str:
    return f"T#{code}"


def queue_key(status: Status, agency_id: str | None) -> str:
    owner_status = status
    if agency_id and (status in AGENCY_OWNED or status == Status.NEED_INFO):
        return f"AGENCY#{agency_id}#{owner_status.value}"
    return f"DESK#{owner_status.value}"


def ticket_queue_key(ticket: Ticket) -> str:
    if ticket.status == Status.NEED_INFO and ticket.resume_status not in AGENCY_OWNED:
        return queue_key(ticket.status, None)
    return queue_key(ticket.status, ticket.assigned_agency_id)


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


def _ticket(head: dict[str, Any], parts: dict[str, dict[str, Any]], clocks: dict[str, Any] | None) -> Ticket:
    """A stored ticket from its head, parts and clocks. A head written before bodies existed has it all, and
    a body written before outcomes had their own item may hold outcome fields: such a part is not recorded
    as read, so the next change writes it without them."""
    ticket = Ticket.model_validate({**head, **parts.get(BODY, {}), **parts.get(OUTCOME, {}), **sla_fields(clocks)})
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


# A published complaint under answer review is hidden from the public (publication.listed) but keeps its
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


def entry_item(entry: TimelineEntry, index: int, ticket: Ticket) -> dict[str, Any]:
    document = entry.model_dump(mode="json")
    document.update(
        pk=ticket_pk(entry.tracking_code),
        sk=f"{EVENT_PREFIX}{entry.occurred_at}#{index}#{entry.event_id}",
        entity="event",
        ticket_snapshot=TicketSnapshot.of(ticket).model_dump(mode="json"),
    )
    return codec.to_item(document)


def change_writes(table: str, change: Change) -> list[dict[str, Any]]:
    """The transaction items of one ticket change: its head (conditional on the version it replaces, or on
    the tracking code being free) first, then its new timeline entries (each written once)."""
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


def transact(db: Any, writes: Sequence[dict[str, Any]]) -> None:
    """Write all or nothing: one item is a plain conditional write (half the price of a transaction)."""
    if len(writes) == 1 and "Put" in writes[0]:
        db.put_item(**writes[0]["Put"])
    elif writes:
        db.transact_write_items(TransactItems=list(writes))


def batch_get(db: Any, table: str, keys: Sequence[dict[str, Any]], consistent: bool = False
              ) -> list[dict[str, Any]]:
    """The items with these keys (absent ones left out, in no particular order): one BatchGetItem per
    100 keys, unprocessed keys asked again with backoff."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(keys), MAX_BATCH_GET):
        pending: Any = {table: {"Keys": list(keys[start:start + MAX_BATCH_GET]), "ConsistentRead": consistent}}
        for attempt in range(8):
            answer = db.batch_get_item(RequestItems=pending)
            found.extend(codec.from_item(raw) for raw in answer.get("Responses", {}).get(table, []))
            pending = answer.get("UnprocessedKeys") or {}
            if not pending:
                break
            time.sleep(min(0.05 * 2 ** attempt, 1.0))
        else:
            raise RuntimeError(f"{table}: batch reads throttled 8 times")
    return found


def _rank_of(index_item: dict[str, Any]) -> int:
    return int(index_item["urgency_sk"]["S"].partition("#")[0])


def _created_order(index_item: dict[str, Any]) -> tuple[str, str]:
    """Oldest first across ranks: creation time (after the rank in `urgency_sk`), then tracking code."""
    return index_item["urgency_sk"]["S"].partition("#")[2], index_item["pk"]["S"]


def _rank_starts(cursor: str | None) -> dict[int, dict[str, Any]]:
    """Where each rank of an oldest-first queue goes on ({}: from its start; a rank left out is done)."""
    if not cursor:
        return {rank: {} for rank in RANKS}
    key = decode_cursor(cursor) or {}
    ranks = key.get(OLDEST_CURSOR)
    if set(key) != {OLDEST_CURSOR} or not isinstance(ranks, dict) or not set(ranks) <= {str(r) for r in RANKS} \
            or not all(_start_key(start) for start in ranks.values()):
        raise Unprocessable("invalid cursor", details=[{"field": "cursor", "message": "not for this list"}])
    return {int(rank): start for rank, start in ranks.items()}


def _start_key(start: Any) -> bool:
    """Empty (a rank not begun) or a queue index entry's whole key, as the index gave it."""
    return isinstance(start, dict) and (not start or (set(start) == set(QUEUE_KEYS) and all(
        isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str) for value in start.values())))


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error):
        key = None
    if not isinstance(key, dict) or not all(isinstance(v, dict) for v in key.values()):
        raise Unprocessable("invalid cursor", details=[{"field": "cursor", "message": "not one we issued"}])
    return key


def _split_partition(items: Sequence[dict[str, Any]]
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
    ticket = _ticket(head, parts, clocks) if head else None
    return ticket, attachments, clocks, entries


class TicketRepository:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    # ------------------------------------------------------------------ reads
    def get(self, code: str) -> Ticket | None:
        """The head with its SLA fields: one Query of the items sorting before the timeline."""
        return self.get_with_extras(code)[0]

    def get_with_attachments(self, code: str) -> tuple[Ticket | None, list[Attachment]]:
        ticket, attachments, _ = self.get_with_extras(code)
        return ticket, attachments

    def get_with_extras(self, code: str) -> tuple[Ticket | None, list[Attachment], dict[str, Any] | None]:
        """Head, attachments and the SLA clocks (`#SLA`) in one Query: all sort before `EV#`."""
        found = self._db.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND sk < :events",
            ExpressionAttributeValues=codec.to_item({":pk": ticket_pk(code), ":events": "B"}),
            ConsistentRead=True,
        )
        ticket, attachments, clocks, _ = _split_partition(found.get("Items", []))
        return ticket, attachments, clocks

    def get_with_timeline(self, code: str) -> tuple[Ticket | None, list[Attachment], list[TimelineEntry]]:
        """Head, attachments and the whole timeline (oldest first) in one Query of the ticket's partition;
        a partition over 1 MB (hundreds of entries) continues on further pages of that Query."""
        pages = self._db.get_paginator("query").paginate(
            TableName=self.table, KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=codec.to_item({":pk": ticket_pk(code)}), ConsistentRead=True)
        items = [raw for page in pages for raw in page.get("Items", [])]
        ticket, attachments, _, entries = _split_partition(items)
        return ticket, attachments, entries

    def timeline(self, code: str, limit: int, cursor: str | None) -> tuple[list[TimelineEntry], str | None]:
        return self._page(
            TimelineEntry,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :events)",
            ExpressionAttributeValues=codec.to_item({":pk": ticket_pk(code), ":events": EVENT_PREFIX}),
            limit=limit, cursor=cursor,
        )

    def created_between(self, queue_pk: str, start: str, end: str) -> Iterator[Ticket]:
        """Tickets of one queue created in [start, end], oldest first: the queue index is sorted by priority
        rank, then creation time, so one key range per rank, merged; heads read 100 at a time."""
        def rank_range(rank: int) -> Iterator[dict[str, Any]]:
            pages = self._db.get_paginator("query").paginate(
                TableName=self.table, IndexName=QUEUE_INDEX,
                KeyConditionExpression="queue_pk = :q AND urgency_sk BETWEEN :start AND :end",
                ExpressionAttributeValues=codec.to_item({":q": queue_pk, ":start": f"{rank}#{start}",
                                                         ":end": f"{rank}#{end}"}))
            for page in pages:
                yield from page.get("Items", [])

        merged = heapq.merge(*(rank_range(rank) for rank in RANKS), key=_created_order)
        while batch := list(itertools.islice(merged, MAX_BATCH_GET)):
            yield from self.heads(batch)

    def heads(self, index_items: Sequence[dict[str, Any]]) -> list[Ticket]:
        """The ticket heads behind index entries, in the entries' order: the ticket indexes project keys
        (and the public feed's filter fields) only, so a status change rewrites small index entries
        and the indexes whose keys did not move are not written at all. One BatchGetItem per 100."""
        return self._partitions(list(dict.fromkeys(raw["pk"]["S"] for raw in index_items)))

    def by_codes(self, codes: Sequence[str]) -> list[Ticket]:
        """The tickets with these tracking codes (missing ones left out), in that order: one BatchGetItem."""
        return self._partitions([ticket_pk(code) for code in dict.fromkeys(codes)], consistent=True)

    def _partitions(self, partitions: list[str], consistent: bool = False) -> list[Ticket]:
        kinds = (HEAD, *PARTS, SLA_CLOCKS)
        keys = [codec.to_item({"pk": pk, "sk": sk}) for pk in partitions for sk in kinds]
        found: dict[str, dict[str, dict[str, Any]]] = {sk: {} for sk in kinds}
        for document in batch_get(self._db, self.table, keys, consistent):
            found[document["sk"]][document["pk"]] = document
        return [_ticket(found[HEAD][pk], {part: found[part][pk] for part in PARTS if pk in found[part]},
                        found[SLA_CLOCKS].get(pk)) for pk in partitions if pk in found[HEAD]]

    def events(self, code: str) -> Iterator[DomainEvent]:
        """Every domain event of a ticket (its timeline entries with their snapshots), oldest first."""
        pages = self._db.get_paginator("query").paginate(
            TableName=self.table, KeyConditionExpression="pk = :pk AND begins_with(sk, :events)",
            ExpressionAttributeValues=codec.to_item({":pk": ticket_pk(code), ":events": EVENT_PREFIX}))
        for page in pages:
            for raw in page.get("Items", []):
                event = read_event(codec.from_item(raw))
                if event is not None:
                    yield event

    def by_reporter(self, reporter_ref: str, limit: int, cursor: str | None) -> tuple[list[Ticket], str | None]:
        return self._page(
            Ticket, IndexName="by_reporter", ScanIndexForward=False,
            KeyConditionExpression="reporter_pk = :r",
            ExpressionAttributeValues=codec.to_item({":r": f"R#{reporter_ref}"}),
            limit=limit, cursor=cursor,
        )

    def queue(self, queue_pk: str, order: str, limit: int, cursor: str | None
              ) -> tuple[list[Ticket], str | None]:
        """order: "oldest", "urgent" or "due" (sparse: only tickets with a running SLA deadline; its
        entries are the `#SLA` clocks items, which carry the queue the ticket was in when the SLA engine
        last saw it: a ticket that has moved on since is left out)."""
        if order == "oldest":
            tickets, next_cursor = self._oldest(queue_pk, limit, cursor)
        else:
            tickets, next_cursor = self._page(
                Ticket, IndexName=QUEUE_INDEXES.get(order, QUEUE_INDEX),
                KeyConditionExpression="queue_pk = :q",
                ExpressionAttributeValues=codec.to_item({":q": queue_pk}),
                limit=limit, cursor=cursor,
            )
        return [ticket for ticket in tickets if ticket_queue_key(ticket) == queue_pk], next_cursor

    def _oldest(self, queue_pk: str, limit: int, cursor: str | None) -> tuple[list[Ticket], str | None]:
        """A queue oldest first from the one queue index (sorted by rank, then age): a page of each rank's
        range, merged by creation time. The cursor holds where each rank not yet exhausted goes on."""
        limit = max(1, min(limit, MAX_PAGE))
        starts = _rank_starts(cursor)
        fetched: dict[int, list[dict[str, Any]]] = {}
        more: dict[int, bool] = {}
        for rank, start in starts.items():
            request: dict[str, Any] = {
                "TableName": self.table, "IndexName": QUEUE_INDEX, "Limit": limit,
                "KeyConditionExpression": "queue_pk = :q AND begins_with(urgency_sk, :rank)",
                "ExpressionAttributeValues": codec.to_item({":q": queue_pk, ":rank": f"{rank}#"})}
            if start:
                request["ExclusiveStartKey"] = start
            found = self._query_from_cursor(request)
            fetched[rank], more[rank] = found.get("Items", []), bool(found.get("LastEvaluatedKey"))
        page = sorted((item for items in fetched.values() for item in items), key=_created_order)[:limit]
        following: dict[str, dict[str, Any]] = {}
        for rank, start in starts.items():
            taken = [item for item in page if _rank_of(item) == rank]
            if len(taken) < len(fetched[rank]) or more[rank]:
                following[str(rank)] = {name: taken[-1][name] for name in QUEUE_KEYS} if taken else start
        next_cursor = encode_cursor({OLDEST_CURSOR: following}) if following else None
        return self.heads(page), next_cursor

    def _query_from_cursor(self, request: dict[str, Any]) -> dict[str, Any]:
        """One Query page; a start key the index refuses is a cursor issued for another list."""
        try:
            found: dict[str, Any] = self._db.query(**request)
        except ClientError as error:
            if "ExclusiveStartKey" in request and error.response["Error"]["Code"] == "ValidationException":
                raise Unprocessable("invalid cursor",
                                    details=[{"field": "cursor", "message": "not for this list"}]) from None
            raise
        return found

    def public_feed(self, *, start: str, end: str, filters: dict[str, list[str]], limit: int,
                    cursor: str | None) -> tuple[list[Ticket], str | None]:
        """Published tickets created in [start, end], newest first; `filters` are attribute -> allowed
        values (a filter on the index query, never a Scan; pages may come back short). The status is
        checked on the heads read (and that they are listed: see `in_public_index`): the index does not carry
        it, so a transition does not rewrite it."""
        filters = dict(filters)
        statuses = set(filters.pop("status", ()))
        names: dict[str, str] = {}
        values: dict[str, Any] = {":feed": PUBLIC_FEED, ":start": start, ":end": end}
        clauses = []
        for number, (path, allowed) in enumerate(sorted(filters.items())):
            parts = []
            for part_number, part in enumerate(path.split(".")):
                names[f"#f{number}_{part_number}"] = part
                parts.append(f"#f{number}_{part_number}")
            keys = []
            for value_number, value in enumerate(allowed):
                values[f":f{number}_{value_number}"] = value
                keys.append(f":f{number}_{value_number}")
            clauses.append(f"{'.'.join(parts)} IN ({', '.join(keys)})")
        query: dict[str, Any] = {
            "IndexName": "public_by_date", "ScanIndexForward": False,
            "KeyConditionExpression": "public_pk = :feed AND created_at BETWEEN :start AND :end",
            "ExpressionAttributeValues": codec.to_item(values),
        }
        if clauses:
            query["FilterExpression"] = " AND ".join(clauses)
            query["ExpressionAttributeNames"] = names
        tickets, next_cursor = self._page(Ticket, limit=limit, cursor=cursor, **query)
        return [ticket for ticket in tickets if listed(ticket) and (not statuses or ticket.status.value in statuses)
                ], next_cursor

    def set_attachment_public(self, code: str, attachment_id: str, public: bool) -> Attachment:
        try:
            key = {"pk": ticket_pk(code), "sk": f"{ATTACHMENT_PREFIX}{attachment_id}"}
            found = self._db.update_item(
                TableName=self.table, Key=codec.to_item(key),
                UpdateExpression="SET #public = :public", ConditionExpression="attribute_exists(sk)",
                ExpressionAttributeNames={"#public": "public"},
                ExpressionAttributeValues=codec.to_item({":public": public}), ReturnValues="ALL_NEW")
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise NotFound(f"no attachment {attachment_id} on {code}") from None
            raise
        return Attachment.model_validate(codec.from_item(found["Attributes"]))
    def in_cells(self, category_id: str, cells: Sequence[str], since: str) -> list[Ticket]:
        """Complaints of one category filed since `since` in the given geohash cells: one Query per
        cell, so the cost follows the neighbourhood, never the size of the city's archive."""
        found: list[Ticket] = []
        for cell in cells:
            request: dict[str, Any] = {
                "TableName": self.table, "IndexName": "by_geocell",
                "KeyConditionExpression": "geo_pk = :g AND created_at >= :since",
                "ExpressionAttributeValues": codec.to_item({":g": geo_cell_key(category_id, cell),
                                                            ":since": since}),
            }
            while True:
                page = self._db.query(**request)
                found.extend(self.heads(page.get("Items", [])))
                if not page.get("LastEvaluatedKey"):
                    break
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return found

    def code_for_id(self, ticket_id: str) -> str | None:
        found = self._db.query(
            TableName=self.table, IndexName="by_ticket_id", KeyConditionExpression="head_ticket_id = :id",
            ExpressionAttributeValues=codec.to_item({":id": ticket_id}), Limit=1,
        )
        items = found.get("Items", [])
        return codec.from_item(items[0])["pk"].removeprefix("T#") if items else None

    def _page(self, model: Any, *, limit: int, cursor: str | None, **query: Any) -> tuple[list[Any], str | None]:
        request: dict[str, Any] = {"TableName": self.table, "Limit": max(1, min(limit, MAX_PAGE)), **query}
        start = decode_cursor(cursor)
        if start:
            request["ExclusiveStartKey"] = start
        found = self._query_from_cursor(request)
        raw_items = found.get("Items", [])
        if model is Ticket and "IndexName" in query:
            items: list[Any] = self.heads(raw_items)
        else:
            items = [model.model_validate(codec.from_item(raw)) for raw in raw_items]
        return items, encode_cursor(found.get("LastEvaluatedKey"))

    # ------------------------------------------------------------------ writes
    def save(self, *changes: Change, guard: dict[str, Any] | None = None, also: Sequence[dict[str, Any]] = ()
             ) -> None:
        """Each change's head and timeline entries in ONE transaction (several tickets: e.g. a duplicate and
        its parent): the entries are the outbox, so a change and its events are stored together or not at
        all. A `guard` item (put only if absent) joins it, so a redelivered cause cannot make it twice;
        `also` are the cause's own bookkeeping writes (transaction items), stored with it."""
        writes = [write for change in changes for write in change_writes(self.table, change)]
        writes.extend(also)
        if guard is not None:  # last: a cancellation on the last item is the guard's
            writes.append({"Put": {"TableName": self.table, "Item": codec.to_item(guard),
                                   "ConditionExpression": "attribute_not_exists(pk)"}})
        try:
            transact(self._db, writes)
        except ClientError as error:
            reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
            if guard is not None and reasons[-1:] == ["ConditionalCheckFailed"]:
                raise GuardTaken(guard["pk"]) from error
            self._raise_conflict(error, changes[0].ticket, changes[0].new)

    def save_new(self, change: Change, prefix: str, guard: Callable[[Change], dict[str, Any]] | None = None,
                 also: Callable[[Change], Sequence[dict[str, Any]]] | None = None) -> Change:
        """Store a new ticket (every channel files through here), drawing another tracking code while the
        one drawn is taken; `guard` and `also` build the items that join the transaction (see `save`) for
        the code finally used. Returns the change as stored."""
        for _ in range(CODE_ATTEMPTS):
            try:
                self.save(change, guard=guard(change) if guard else None, also=also(change) if also else ())
                return change
            except CodeTaken:
                change = lifecycle.with_new_code(change, prefix)
        raise Conflict("could not allocate a tracking code; try again", code="code_exhausted")

    @staticmethod
    def _raise_conflict(error: ClientError, ticket: Ticket, new: bool) -> None:
        code = error.response["Error"]["Code"]
        reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
        head_failed = code == "ConditionalCheckFailedException" or (
            code == "TransactionCanceledException" and reasons[:1] == ["ConditionalCheckFailed"]
        )
        if head_failed and new:
            raise CodeTaken(ticket.tracking_code) from error
        if head_failed or code == "TransactionCanceledException":
            raise Conflict(
                "the complaint was changed by someone else; reload it and try again",
                details={"tracking_code": ticket.tracking_code},
                code="version_conflict",
            ) from error
        raise error

    def add_attachment(self, attachment: Attachment) -> None:
        self._db.put_item(**self.attachment_write(attachment)["Put"], ConditionExpression="attribute_not_exists(sk)")

    def attachment_write(self, attachment: Attachment) -> dict[str, Any]:
        """An attachment record as a transaction item (unconditional: a redelivery writes the same record)."""
        document = attachment.model_dump(mode="json")
        document.update(pk=ticket_pk(attachment.tracking_code), sk=f"{ATTACHMENT_PREFIX}{attachment.id}",
                        entity="attachment")
        return {"Put": {"TableName": self.table, "Item": codec.to_item(document)}}
